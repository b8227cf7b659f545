// control-plane/api: the apiserver's API machinery, pure (no I/O, no clocks, no HTTP).
// See README.md in this folder for what each part implements and how it differs from Kubernetes.
export type * from './types/index.js';
export * from './errors.js';
export * from './limits.js';
export { parseJson, jsonEqual, deepClone, isJsonObject, type JsonValue, type JsonObject, type ParsedJson } from './json.js';
export * from './registry.js';
export * from './status.js';
export { Quantity, parseQuantity, quantityFromJson, type QuantityFormat, type QuantityError } from './quantity.js';
export { applyDefaults } from './defaults/index.js';
export {
  validate, validateFields, validateLabelSelector, validateDeleteOptions, invalidStatus, aggregateMessage, errorString,
  type FieldError, type Operation,
} from './validation/index.js';
export { decodeBody, parseFieldValidation, patchStrictDecodingStatus, strictFindings, type FieldValidationDirective,
  type DecodedBody } from './field-validation.js';
export { decode, canonicalTime } from './schema/decode.js';
export { schemaForKind, ALL_KINDS } from './schema/index.js';
export { toOpenApiV3, openApiV3Discovery, componentSchemas } from './schema/openapi.js';
export { LabelSelector, parseLabelSelector, selectorFromSet, formatLabels, type Requirement, type SelectorError } from './selectors/labels.js';
export { labelSelectorAsSelector, formatLabelSelector } from './selectors/label-selector.js';
export {
  FieldSelector, fieldMatcher, parseFieldSelector, selectableFields, supportedFieldLabels, checkFieldSelector,
} from './selectors/fields.js';
export * from './patch/index.js';
export { toTable, printerFor, humanDuration, age, podStatusColumns, type TableOptions } from './table/index.js';
