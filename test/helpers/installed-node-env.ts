// The settings an installed release runs with in update tests (bun test and Playwright alike):
// loopback only, no Boson bootstrap, a preset setup code, no AI engine, and restarts left to the
// test's stand-in for systemd (exit 75).
export function installedNodeEnv(o: { dataDir: string; port: number; setupCode: string; manifestUrl: string; trialSeconds: number }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    PC2_DATA_DIR: o.dataDir,
    PC2_HOST: "127.0.0.1",
    PC2_PORT: String(o.port),
    PC2_NETWORK_BOOTSTRAP: "none",
    PC2_NETWORK_IPV4: "127.0.0.1",
    PC2_NETWORK_PORT: "0",
    PC2_LOG_FORMAT: "json",
    PC2_SETUP_CODE: o.setupCode,
    PC2_AI_THREADS: "1",
    PC2_AI_CONTEXT_SIZE: "512",
    PC2_AI_OLLAMA_STORES: "",
    PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9",
    PC2_UPDATE_MANIFEST_URL: o.manifestUrl,
    PC2_UPDATE_RESTART: "exit",
    PC2_UPDATE_TRIAL_SECONDS: String(o.trialSeconds),
    PC2_SHUTDOWN_TIMEOUT_MS: "3000",
  };
}
