// Errors of the node agent process.

export class AgentConfigError extends Error {
  readonly code = 'FLOTILLA_ERR_AGENT_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
}
