// Remove dist/ before a build, so a file deleted or renamed in lib/ cannot linger in the package.
import { rmSync } from 'node:fs';
import * as path from 'node:path';

rmSync(path.join(import.meta.dirname, '..', 'dist'), { recursive: true, force: true });
