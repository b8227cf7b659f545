// Errors of the kubelet: classes with a stable `code` and a message that says what to do.

export class KubeletError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A container's configuration cannot be built yet (a configMap or secret, or a key of one, is
 * missing): the kubelet reports waiting with reason CreateContainerConfigError and tries again.
 */
export class ContainerConfigError extends KubeletError {
  constructor(message: string) {
    super('FLOTILLA_ERR_CONTAINER_CONFIG', message);
  }
}

/** A pod volume's source is missing: the pod stays ContainerCreating, as with a missing configMap. */
export class VolumeSetupError extends KubeletError {
  constructor(message: string) {
    super('FLOTILLA_ERR_VOLUME_SETUP', message);
  }
}

export class KubeletConfigError extends KubeletError {
  constructor(message: string) {
    super('FLOTILLA_ERR_KUBELET_CONFIG', message);
  }
}
