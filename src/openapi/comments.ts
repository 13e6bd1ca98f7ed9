import type { AnyDesc } from "@bufbuild/protobuf";
import { getComments } from "@bufbuild/protoplugin";

/** A proto element's leading comment, split as OpenAPI wants it: the first paragraph as summary, all of it as description. */
export interface DocText {
  readonly summary?: string;
  /** The whole comment, when it is longer than its summary. */
  readonly description?: string;
  /** The whole comment. */
  readonly text?: string;
}

/** The leading comment of `desc` (buf's lint comments stripped of their indentation), or nothing. */
export function docText(desc: Exclude<AnyDesc, { kind: "file" }>): DocText {
  const leading = getComments(desc).leading;
  if (leading === undefined) return {};
  const lines = leading.split("\n").map((l) => l.replace(/^ /, "").trimEnd());
  const text = lines.join("\n").trim();
  if (text === "") return {};
  const firstParagraph = text.split(/\n\s*\n/)[0]!.replace(/\s*\n\s*/g, " ");
  // A one-paragraph comment is the summary alone; a longer one is the description too.
  return text === firstParagraph ? { summary: firstParagraph, text } : { summary: firstParagraph, description: text, text };
}
