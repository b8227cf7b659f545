// The one error the decoder throws: the body is not a Kubernetes protobuf object we can read.
// The apiserver answers it with 400 (or 415 for an unsupported kind) and this message.

export class ProtobufDecodeError extends Error {
  readonly code = 'FLOTILLA_ERR_PROTOBUF';

  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}
