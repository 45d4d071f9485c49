// The base types of the contract: how a call's outcome and a field's error look. A leaf module
// (it imports nothing), so every other shared file can use them without an import cycle.

export interface ApiError {
  message: string
  /** Portable error name (address-in-use, invalid-config, …). */
  code: string
  /** Native number when the error came from the OS. */
  nativeCode?: number
  nativeName?: string
  fieldErrors?: FieldError[]
}

/** Every call resolves with {ok,value} or {ok:false,error}: errors cross IPC as data, not throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

export interface FieldError {
  field: string
  message: string
  /** Set when the error is a rule between fields rather than the field's own range or type. */
  rule?: 'sendQueueVsRecvBuffer'
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] }
