/**
 * partial(): sockserve's `functools.partial(HandlerClass, directory=...)`.
 */
import type { MixinConstructor } from '../socketserver/threading';

/**
 * A subclass of `HandlerClass` whose instances get `fields` set right after construction (after
 * the class's own field initialisers, so they win over the defaults). Python's
 * `partial(SimpleHTTPRequestHandler, directory='/srv')` is
 * `partial(SimpleHTTPRequestHandler, { directory: '/srv' })`.
 *
 * @example
 * const Handler = partial(SimpleHTTPRequestHandler, { directory: '/srv/www', cors: true });
 * const server = new ThreadingHTTPServer(['127.0.0.1', 8000], Handler);
 */
export function partial<TBase extends MixinConstructor<object>>(
  HandlerClass: TBase,
  fields: Partial<InstanceType<TBase>>,
): TBase {
  const values = { ...fields };
  return class Partial extends HandlerClass {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      Object.assign(this, values);
    }
  };
}
