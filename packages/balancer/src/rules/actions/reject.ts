/** `http-request reject`: close the client connection at once, without a response. */
import { type ActionCompiler, DONE } from './action.ts';

export const compileReject: ActionCompiler = () => (c) => {
  c.reject = true;
  c.denied = true;
  return DONE;
};
