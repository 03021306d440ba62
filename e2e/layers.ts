/**
 * natter's layers, bottom to top, as a map of files and folders: a module
 * imports only from its own layer or below, never in a circle. The
 * top-level files of the design belong to different layers: `hub.ts` to the
 * rooms, `client.ts` to the connections, `main.ts` and `mod.ts` (natter
 * to mount in another server) to the program.
 * `layers_test.ts` walks the module graph with this map.
 *
 * @module
 */

/** One layer: its name, and the files and folders (ending in `/`) in it. */
export interface Layer {
  /** What the layer is, for messages. */
  readonly name: string;
  /** Paths from the repository's root; a folder takes everything below it. */
  readonly paths: readonly string[];
}

/** The layers, bottom first. */
export const LAYERS: readonly Layer[] = [
  { name: "base", paths: ["util/", "settings/"] },
  { name: "stores", paths: ["store/"] },
  { name: "rooms", paths: ["room/", "hub.ts"] },
  {
    name: "connections and protocols",
    paths: ["connection/", "protocol/", "auth/", "client.ts"],
  },
  { name: "surface", paths: ["http/", "ops/", "home.html"] },
  { name: "program", paths: ["config/", "cluster/", "main.ts", "mod.ts"] },
  { name: "examples", paths: ["examples/"] },
];

/**
 * Folders that stand alone, outside the layers: a module in one imports
 * only from its own folder, so that it can be taken by itself. The client
 * library (`sdk/`) is one: it imports nothing of the server and no package,
 * so a program that imports it downloads nothing else. Any layer may import
 * it; the examples do. `sdk_alone_test.ts` holds them to that.
 */
export const ALONE: readonly string[] = ["sdk/"];

/**
 * The layer of `path` (from the repository's root): its index in
 * {@linkcode LAYERS}, or -1 when no layer names it. The longest matching
 * path decides.
 *
 * @example
 * ```ts
 * layerOf("room/intake.ts"); // 2
 * layerOf("main.ts"); // 5
 * ```
 */
export function layerOf(path: string): number {
  let found = -1;
  let longest = 0;
  LAYERS.forEach((layer, index) => {
    for (const prefix of layer.paths) {
      const matches = prefix.endsWith("/")
        ? path.startsWith(prefix)
        : path === prefix;
      if (matches && prefix.length > longest) {
        found = index;
        longest = prefix.length;
      }
    }
  });
  return found;
}
