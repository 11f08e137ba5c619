/**
 * Validation through the Standard Schema interface (https://standardschema.dev), which zod 4, valibot
 * and arktype implement. Switchboard depends on the interface only: no validator is bundled.
 */
import { isPayload } from './frame.js'
import type { Payload } from './frame.js'

/** The Standard Schema v1 interface, as far as Switchboard uses it. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardIssue> }

/** One problem found by a schema. */
export interface StandardIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** Schemas by message `type`: `{ chat: z.object({ type: z.literal('chat'), text: z.string() }) }`. */
export type SchemaMap = Record<string, StandardSchemaV1>

/** No schemas: every type is allowed and messages are plain payloads. */
export type NoSchemas = Record<never, never>

type Types<S> = S extends StandardSchemaV1 ? NonNullable<S['~standard']['types']> : never
/** What a schema produces (a handler's message type). */
export type InferOutput<S> = Types<S> extends { output: infer O } ? O : Payload
/** What a schema accepts (a send's payload type). */
export type InferInput<S> = Types<S> extends { input: infer I } ? I : Payload

/** The message types a channel handles: the schema keys, or any string without schemas. */
export type MessageType<S extends SchemaMap> = [keyof S] extends [never] ? string : Extract<keyof S, string>
/** The message a handler of `type` K receives. */
export type MessageOf<S extends SchemaMap, K extends string> = K extends keyof S ? InferOutput<S[K]> : Payload
/** What `send` accepts: one of the schemas' inputs, or any payload without schemas. */
export type OutgoingMessage<S extends SchemaMap> = [keyof S] extends [never] ? Payload : { [K in keyof S]: InferInput<S[K]> }[keyof S]

/** A schema's verdict: its own result object when it passed with an object, so that a pass allocates nothing of ours. */
export type Validation = StandardResult<Payload>

/** Validates `payload`; a Promise only when the schema itself is asynchronous. A throwing schema counts as a failure. */
export function validate(schema: StandardSchemaV1, payload: Payload): Validation | Promise<Validation> {
  let result: StandardResult<unknown> | Promise<StandardResult<unknown>>
  try {
    result = schema['~standard'].validate(payload)
  } catch (error) {
    return thrown(error)
  }
  return result instanceof Promise ? result.then(checked, thrown) : checked(result)
}

// A schema that breaks the interface and gives no result object (undefined, null, a number) fails too.
function checked(result: StandardResult<unknown> | undefined): Validation {
  return result?.issues || isPayload(result?.value) ? (result as Validation) : { issues: [{ message: 'schema output is not an object' }] }
}

function thrown(error: unknown): Validation {
  return { issues: [{ message: `the schema threw: ${String(error)}` }] }
}

/** `text: Required` style summary of issues, for error messages. */
export function describeIssues(issues: ReadonlyArray<StandardIssue>): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}

/** The schema for a message type, if the map has its own entry for it. */
export function schemaFor(schemas: SchemaMap, type: unknown): StandardSchemaV1 | undefined {
  return typeof type === 'string' && Object.hasOwn(schemas, type) ? schemas[type] : undefined
}
