/** `allow`: stop evaluating this rule list; the request (or response) goes on. */
import { type ActionCompiler, STOP } from './action.ts';

export const compileAllow: ActionCompiler = () => () => STOP;
