import { PropValidator } from './validate';

/** A parsed container image reference. */
export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** A label-safe version: the tag, else the first 12 hex digits of the digest. */
  readonly version: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPO = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+|-+[a-z0-9]+)*)*$/;

/**
 * Parses and checks an image reference: a tag or a digest is required and `latest` is refused, so what runs
 * is what was reviewed and `imagePullPolicy: IfNotPresent` is safe.
 */
export function parseImage(v: PropValidator, prop: string, image: string): ImageRef {
  if (typeof image !== 'string' || image.length === 0 || /\s/.test(image)) {
    v.fail(prop, image, 'must be a container image reference such as "nginxinc/nginx-unprivileged:1.27.3" or "repo@sha256:<64 hex>".');
  }
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) v.fail(prop, image, 'has an invalid digest: use "@sha256:" followed by 64 lowercase hex digits.');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) v.fail(prop, image, 'has an invalid tag: up to 128 letters, digits, "_", "." and "-".');
  }
  if (!REPO.test(rest)) {
    v.fail(prop, image, 'has an invalid repository name: lowercase letters, digits and separators, optionally "registry[:port]/" first.');
  }
  if (!tag && !digest) {
    v.fail(prop, image, 'must name a tag or a digest (e.g. "nginx:1.27.3" or "nginx@sha256:..."): an untagged image means "latest", which changes under you.');
  }
  if (tag === 'latest' && !digest) {
    v.fail(prop, image, 'uses the "latest" tag: pin a version tag or a digest so every node runs the image you reviewed.');
  }
  const version = tag ? tag.replace(/^[^A-Za-z0-9]+/, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '') : digest!.slice(7, 19);
  return { repository: rest, tag, digest, version: version || 'unknown' };
}

/** The image string as written to the manifest. */
export function imageString(image: ImageRef): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}
