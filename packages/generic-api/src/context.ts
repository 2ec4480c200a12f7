import type { HandlerContext } from '@ocpp/rpc';
import type { ProtocolVersion } from './model.js';

/** The rpc handler context of any version. */
// biome-ignore lint/suspicious/noExplicitAny: sessions of every version
export type RpcContext = HandlerContext<any, any, any, any>;

/**
 * What a neutral handler gets as its context, on either side: the neutral end (`station`, a CSMS's
 * station handle or the generic station itself) and the fields of the rpc call being answered.
 */
export class CallContext<
  End extends { identity: string; version: ProtocolVersion; session: S },
  S,
> {
  constructor(
    readonly station: End,
    private readonly rpc: RpcContext,
  ) {}
  get identity(): string {
    return this.station.identity;
  }
  get version(): ProtocolVersion {
    return this.station.version;
  }
  get session(): S {
    return this.station.session;
  }
  get messageId(): string {
    return this.rpc.messageId;
  }
  get action(): string {
    return this.rpc.action;
  }
  get signal(): AbortSignal {
    return this.rpc.signal;
  }
}
