/** What a CLI command produced; `main` prints it and exits with `exitCode`. */
export interface CommandResult<J> {
  exitCode: 0 | 1 | 2;
  stdout?: string;
  stderr?: string;
  json: J;
}

/** Bad usage or an invalid config: exit status 2, the message on stderr. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
