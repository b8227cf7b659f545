// Errors of the load balancer. Each has a stable `code` and a message that says what is
// wrong and what to do. Expected conditions (a backend down, a connection refused at the
// limit) are states and counters, never exceptions; these classes are for bad flags and
// for a process that cannot start.

export class LbError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A flag value that cannot work. `flag` names it (`--interval`), and so does the message. */
export class LbConfigError extends LbError {
  readonly flag: string;
  constructor(flag: string, message: string) {
    super('FLOTILLA_ERR_LB_CONFIG', `${flag}: ${message}`);
    this.flag = flag;
  }
}

/** A listener that could not bind (port in use, address not local). */
export class LbListenError extends LbError {
  constructor(what: string, address: string, cause: unknown) {
    super('FLOTILLA_ERR_LB_LISTEN',
      `load balancer cannot listen for ${what} on ${address}: ${(cause as Error)?.message ?? String(cause)}. ` +
      'Check that no other process holds the port and that the address belongs to this machine.', { cause });
  }
}

/** A broken invariant of the load balancer itself: a bug, never a network condition. */
export class LbInvariantError extends LbError {
  constructor(message: string) {
    super('FLOTILLA_ERR_LB_INVARIANT', `load balancer invariant broken: ${message}`);
  }
}
