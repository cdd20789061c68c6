/**
 * Which artifacts an `![alt](artifact:<id>)` in Markdown shows as an image. An image artifact has an `image/*`
 * content type and holds its picture as text, the way every artifact holds text: a `data:image/…;base64,` URL,
 * or for `image/svg+xml` the SVG source itself (shown through <img>, where an SVG runs no script and loads
 * nothing). Anything else shows as a placeholder saying why.
 */
import { api } from "./api";
import type { ImageSource } from "./markdown";
import { toFailure } from "./errors";

const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|svg\+xml|avif|bmp);base64,[A-Za-z0-9+/=\s]*$/i;

function utf8Base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The image an artifact's content makes, or why it makes none. */
export function imageSource(title: string, contentType: string, content: string): ImageSource {
  const type = contentType.toLowerCase();
  if (!type.startsWith("image/")) return { problem: `“${title}” is ${contentType}, not an image.` };
  const text = content.trim();
  if (DATA_IMAGE.test(text)) return { src: text };
  if (type === "image/svg+xml" && /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text)) {
    return { src: `data:image/svg+xml;base64,${utf8Base64(text)}` };
  }
  return { problem: `“${title}” is ${contentType} but holds no data:image/…;base64 URL${type === "image/svg+xml" ? " or SVG" : ""}.` };
}

/** Reads the artifact and makes its image (quietly: Markdown renders in the background of what the person does). */
export async function resolveArtifactImage(id: string): Promise<ImageSource> {
  try {
    const a = await api.quiet.artifactGet(id);
    return imageSource(a.title, a.content_type, a.content);
  } catch (e) {
    const f = toFailure(e);
    return { problem: f.code === "not_found" ? `No artifact ${id}.` : `Artifact ${id} could not be read: ${f.message}` };
  }
}
