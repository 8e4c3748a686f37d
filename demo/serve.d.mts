import type { Server } from 'node:http';

/** An http.Server answering GET/HEAD for files under `root` (default: the repository root). */
export function createStaticServer(root?: string): Server;
