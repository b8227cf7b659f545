// Patch failures carry the Status the apiserver answers with (chosen as Kubernetes'
// patch handler chooses it) and the underlying reason, which for some 422s Kubernetes hides
// behind a generic message but which is worth logging.
import { badRequest, failure, requestEntityTooLarge, unprocessableGeneric } from '../status.js';
import type { Status } from '../types/meta.js';

export interface PatchError {
  readonly code: 'FLOTILLA_ERR_PATCH';
  /** What went wrong, in the patch library's words. */
  readonly message: string;
  /** The Status to answer with. */
  readonly status: Status;
}

export type PatchErrorKind = 'badRequest' | 'unprocessable' | 'tooLarge' | 'internal';

export function patchError(kind: PatchErrorKind, message: string): PatchError {
  let status: Status;
  switch (kind) {
    case 'badRequest': status = badRequest(message); break;
    case 'unprocessable': status = unprocessableGeneric(); break;
    case 'tooLarge': status = requestEntityTooLarge(message); break;
    // A plain Go error reaching the handler: 500 with reason Unknown and the error text.
    case 'internal': status = failure(500, '', message); break;
  }
  return { code: 'FLOTILLA_ERR_PATCH', message, status };
}

/** Thrown inside patch code and caught at its entry point; never escapes the module. */
export class PatchFailure {
  constructor(readonly kind: PatchErrorKind, readonly message: string) {}
}
