// Errors of the node agent's runtime: classes with a stable `code` and a message that says
// what to do. Expected conditions the kubelet reacts to (an image not in the catalogue, no
// free pod IP) are errors too, because they fail the CRI call that hit them, as in the CRI.

export class RuntimeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The image is not in the local catalogue. The kubelet reports ErrImagePull, then ImagePullBackOff. */
export class ImagePullError extends RuntimeError {
  readonly image: string;
  constructor(image: string, known: readonly string[]) {
    super('FLOTILLA_ERR_IMAGE_PULL', `image "${image}" is not in the local image catalogue (there is no registry); ` +
      `use one of ${known.join(', ')} or register it in an image catalogue file`);
    this.image = image;
  }
}

export class PodIpExhaustedError extends RuntimeError {
  constructor(cidr: string, count: number) {
    super('FLOTILLA_ERR_POD_IP_EXHAUSTED', `all ${count} pod IPs of ${cidr} are in use; ` +
      'remove pod sandboxes on this node or schedule pods onto another node');
  }
}

export class NodeIndexError extends RuntimeError {
  constructor(index: number, max: number) {
    super('FLOTILLA_ERR_NODE_INDEX', `node index ${index} is outside 0..${max}; give each node a distinct index in range`);
  }
}

export class NotFoundError extends RuntimeError {
  constructor(what: string, id: string) {
    super('FLOTILLA_ERR_RUNTIME_NOT_FOUND', `${what} ${id} does not exist in this runtime; list them to see what exists`);
  }
}

export class ContainerRunningError extends RuntimeError {
  constructor(name: string, sandboxId: string) {
    super('FLOTILLA_ERR_CONTAINER_RUNNING', `container ${name} of sandbox ${sandboxId} is already running; ` +
      'stop it before starting it again');
  }
}

export class InvalidSpecError extends RuntimeError {
  constructor(message: string) {
    super('FLOTILLA_ERR_RUNTIME_INVALID_SPEC', message);
  }
}

export class LimitError extends RuntimeError {
  constructor(message: string) {
    super('FLOTILLA_ERR_RUNTIME_LIMIT', message);
  }
}

export class ImageCatalogueError extends RuntimeError {
  constructor(file: string, message: string) {
    super('FLOTILLA_ERR_IMAGE_CATALOGUE', `image catalogue ${file}: ${message}`);
  }
}

export class RuntimeStateError extends RuntimeError {
  constructor(file: string, message: string) {
    super('FLOTILLA_ERR_RUNTIME_STATE', `runtime state ${file}: ${message}; ` +
      'move the file aside to start with an empty runtime (running processes will then be orphans)');
  }
}
