// What `scripts/build.ts` bakes into the single binary with `bun build --define`: the release's
// version (when it differs from package.json's, e.g. a release build) and the publisher's public key
// that release manifests must be signed with. From source, neither is set.
declare const PC2_BUILD_VERSION: string | undefined;
declare const PC2_BUILD_RELEASE_KEY: string | undefined;

export const BUILT_VERSION: string | null = typeof PC2_BUILD_VERSION === "string" ? PC2_BUILD_VERSION : null;
export const BUILT_RELEASE_KEY: string | null = typeof PC2_BUILD_RELEASE_KEY === "string" ? PC2_BUILD_RELEASE_KEY : null;
/** Running as the compiled single binary (not from source). */
export const COMPILED: boolean = import.meta.url.includes("/$bunfs/");
