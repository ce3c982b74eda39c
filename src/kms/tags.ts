/**
 * Tags on keys: TagResource, UntagResource, ListResourceTags, and the Tags of
 * CreateKey. A tag key is 1–128 characters and may not start with "aws:"
 * (reserved for AWS); a value is 0–256 characters; a key has at most 50 tags.
 */
import { LimitExceededException, TagException, ValidationException } from "./errors.js";
import type { KeyEntry } from "./key-entry.js";
import type { OperationContext } from "./operation.js";
import { pageFields, paginate } from "./pagination.js";
import type { ListResourceTagsRequest, ListResourceTagsResponse, Tag, TagResourceRequest, UntagResourceRequest } from "./types.js";

/** AWS quota "Tags per KMS key". */
export const MAX_TAGS_PER_KEY = 50;

/** Checks a Tags parameter; returns plain copies. */
export function checkTags(value: unknown, required: boolean): Tag[] {
  if (value === undefined || value === null) {
    if (required) throw new ValidationException("Tags is required");
    return [];
  }
  if (!Array.isArray(value)) throw new ValidationException("Tags must be a list of { TagKey, TagValue }");
  const seen = new Set<string>();
  return value.map((tag: unknown) => {
    const { TagKey, TagValue } = (tag ?? {}) as Record<string, unknown>;
    if (typeof TagKey !== "string" || TagKey.length < 1 || TagKey.length > 128) {
      throw new TagException(`Tag key ${JSON.stringify(TagKey)} is not valid: a tag key is a string of 1 to 128 characters`);
    }
    if (typeof TagValue !== "string" || TagValue.length > 256) {
      throw new TagException(`The value of tag ${TagKey} is not valid: a tag value is a string of 0 to 256 characters`);
    }
    if (TagKey.startsWith("aws:")) throw new TagException(`Tag key ${TagKey} is not valid: the prefix "aws:" is reserved for AWS`);
    if (seen.has(TagKey)) throw new TagException(`Tag key ${TagKey} appears more than once in the request`);
    seen.add(TagKey);
    return { TagKey, TagValue };
  });
}

/** Adds or replaces tags on a key record (inside keys.update). */
export function applyTags(key: KeyEntry, tags: Tag[]): void {
  const merged = new Map(key.record.tags.map((t) => [t.TagKey, t.TagValue]));
  for (const t of tags) merged.set(t.TagKey, t.TagValue);
  if (merged.size > MAX_TAGS_PER_KEY) {
    throw new LimitExceededException(`${key.arn} would have ${merged.size} tags; a key may have at most ${MAX_TAGS_PER_KEY}`);
  }
  key.record.tags = [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

export function tagResource(ctx: OperationContext, req: TagResourceRequest): void {
  const key = ctx.key(req.KeyId, "manage");
  const tags = checkTags(req.Tags, true);
  ctx.write(() => ctx.core.keys.update(key, () => applyTags(key, tags)));
}

export function untagResource(ctx: OperationContext, req: UntagResourceRequest): void {
  const key = ctx.key(req.KeyId, "manage");
  if (!Array.isArray(req.TagKeys) || req.TagKeys.some((k) => typeof k !== "string" || k.length < 1 || k.length > 128)) {
    throw new TagException("TagKeys must be a list of tag keys of 1 to 128 characters");
  }
  const remove = new Set(req.TagKeys);
  ctx.write(() => ctx.core.keys.update(key, (k) => (k.record.tags = k.record.tags.filter((t) => !remove.has(t.TagKey)))));
}

export function listResourceTags(ctx: OperationContext, req: ListResourceTagsRequest): ListResourceTagsResponse {
  const key = ctx.key(req.KeyId, "any");
  const sorted = [...key.record.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0));
  const page = paginate("tags", sorted, req, (t) => t.TagKey);
  return { Tags: page.items.map((t) => ({ ...t })), ...pageFields(page) };
}
