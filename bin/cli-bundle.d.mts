// Types of bin/cli-bundle.mjs (plain JavaScript, so `headroom` runs before anything transpiles TypeScript).
export declare const REPO: string;
export declare const OUT_DIR: string;
export declare function bundleFresh(): boolean;
export declare function buildBundle(): Promise<number>;
export declare function loadMain(): Promise<(argv: string[]) => Promise<number>>;
