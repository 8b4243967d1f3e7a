// The package's JSON Schema validator (Draft 2020-12 subset) and the spec-v1 schemas.
export { SchemaSet, describeViolations, type SchemaViolation, type ValidateFunction } from "./validator.js";
export { specV1Validator, specV1SchemaDirectory, type SpecV1SchemaName } from "./spec-v1.js";
export { isDateTime, isUri } from "./formats.js";
