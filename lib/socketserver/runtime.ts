/**
 * What the running Node.js can do, where it differs between the versions sockserve supports.
 */

/** SO_REUSEPORT through `listen({ reusePort })` / `bind({ reusePort })`: Node 22.12+ and 23.1+. */
export function reusePortSupported(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}
