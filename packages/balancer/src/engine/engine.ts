import type { MessageSink } from '../log/messages.ts';
import type { EngineConfig } from './engine-config.ts';

export interface ListenerInfo {
  proxy: string;
  address: string;
  listening: boolean;
}

export interface Engine {
  readonly listeners: ListenerInfo[];
  /** stop accepting, let in-flight requests finish for up to graceMs, then close everything */
  stop(graceMs: number): Promise<void>;
}

export async function startEngine(_config: EngineConfig, _messages: MessageSink): Promise<Engine> {
  throw new Error('engine not implemented yet');
}
