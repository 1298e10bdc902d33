/** The environment `npm start` would get to run the app against the GitHub stand-in (as a GitHub Enterprise Server), on 127.0.0.1:`port`. */
export function standInAppEnv(github: { env: Record<string, string> }, options: { privateKey: string; secret: string; port: number; extra?: Record<string, string> }): Record<string, string> {
  return {
    ...github.env,
    APP_ID: "1",
    PRIVATE_KEY: options.privateKey,
    WEBHOOK_SECRET: options.secret,
    HOST: "127.0.0.1",
    PORT: String(options.port),
    NO_SMEE_SETUP: "true",
    ...options.extra,
  };
}
