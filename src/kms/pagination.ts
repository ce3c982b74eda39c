/**
 * Limit/Marker pagination as the AWS List* operations do it: at most Limit
 * items (1–1000, default 100), `Truncated` when more remain, and `NextMarker`
 * to pass as the next request's `Marker`. A marker names the last item
 * returned ("<list>:<position>"), so pages stay consistent when items are
 * added or removed between calls. Markers of another list, or not made here,
 * are InvalidMarkerException.
 */
import { InvalidMarkerException } from "./errors.js";
import { integerField, stringField } from "./request-fields.js";
import type { PageRequest } from "./types.js";

export interface Page<T> {
  items: T[];
  NextMarker?: string;
  Truncated: boolean;
}

/**
 * One page of `items`, which must come in ascending order of `position` (plain
 * string comparison). `items` may be lazy: it is read only as far as needed.
 */
export function paginate<T>(list: string, items: Iterable<T>, request: PageRequest, position: (item: T) => string): Page<T> {
  const limit = integerField(request.Limit, "limit", 1, 1000, 100);
  const marker = stringField(request.Marker, "marker", 1, 1024);
  let after: string | undefined;
  if (marker !== undefined) {
    if (!marker.startsWith(`${list}:`)) throw new InvalidMarkerException(`The marker '${marker}' is not valid for this list`);
    after = marker.slice(list.length + 1);
  }
  const page: T[] = [];
  for (const item of items) {
    if (after !== undefined && !(position(item) > after)) continue;
    if (page.length === limit) {
      return { items: page, NextMarker: `${list}:${position(page[page.length - 1])}`, Truncated: true };
    }
    page.push(item);
  }
  return { items: page, Truncated: false };
}

/** A page's NextMarker and Truncated fields for a response (NextMarker only when truncated). */
export function pageFields<T>(page: Page<T>): { NextMarker?: string; Truncated: boolean } {
  return page.Truncated ? { NextMarker: page.NextMarker, Truncated: true } : { Truncated: false };
}
