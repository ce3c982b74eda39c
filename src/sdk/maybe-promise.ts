/**
 * Values that are often ready at once (materials from a cache, engine keys)
 * and only sometimes need a promise (a keyring call, a WebCrypto key). The
 * hot paths of `encrypt`/`decrypt` pass them on synchronously and await only
 * what is actually pending: each await costs a trip through the microtask
 * queue, which is a measurable share of a 1 KiB message.
 */
export type MaybePromise<T> = T | Promise<T>;

/** True for a promise (or other thenable) rather than a value. */
export function isPromise<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return value != null && typeof (value as PromiseLike<T>).then === "function";
}
