/**
 * Secrets out of a recording: each secret value becomes a placeholder, the same value always the same one
 * (`<secret:1>` for a password or client secret, `<token:3>` for a token), so that a replay still sees which
 * token a request used, and which login gave it.
 */
import { SECRET_FIELDS, SECRET_HEADERS, TOKEN_FIELDS, TOKEN_PATHS } from '../secrets.js';
import type { HarEntry, HarNameValue } from './har.js';

type SecretKind = 'secret' | 'token';

/** One per recording: its placeholders are numbered in the order the secrets first appear. */
export class Masker {
  private readonly placeholders = new Map<string, string>();
  private readonly counts: Record<SecretKind, number> = { secret: 0, token: 0 };

  /** The placeholder of `value`: the one it got before, or the next of `kind`. */
  placeholder(value: string, kind: SecretKind): string {
    let placeholder = this.placeholders.get(value);
    if (placeholder === undefined) {
      this.counts[kind] += 1;
      placeholder = `<${kind}:${this.counts[kind]}>`;
      this.placeholders.set(value, placeholder);
    }
    return placeholder;
  }

  /** A copy of the entry with its secrets replaced: headers, the request body, and the tokens of token answers. */
  entry(entry: HarEntry): HarEntry {
    const { request, response } = entry;
    const answersTokens = TOKEN_PATHS.has(new URL(request.url).pathname);
    const postData = request.postData && {
      ...request.postData,
      ...(request.postData.text === undefined ? {} : { text: this.body(request.postData.text, request.postData.mimeType, SECRET_FIELDS) }),
      ...(request.postData.params ? { params: request.postData.params.map((param) => this.pair(param)) } : {}),
    };
    const responseFields = answersTokens ? new Set([...SECRET_FIELDS, ...TOKEN_FIELDS]) : SECRET_FIELDS;
    const content = response.content;
    return {
      ...entry,
      request: { ...request, headers: request.headers.map((header) => this.header(header)), ...(postData ? { postData } : {}) },
      response: {
        ...response,
        headers: response.headers.map((header) => this.header(header)),
        content:
          content.text === undefined || content.encoding === 'base64'
            ? content
            : { ...content, text: this.body(content.text, content.mimeType, responseFields) },
      },
    };
  }

  private header({ name, value }: HarNameValue): HarNameValue {
    if (!SECRET_HEADERS.has(name.toLowerCase())) return { name, value };
    // `Bearer <token:1>`: the scheme stays, so a replay knows what it carries.
    const scheme = /^(\S+)\s+(\S.*)$/.exec(value);
    return { name, value: scheme ? `${scheme[1]} ${this.placeholder(scheme[2]!, 'token')}` : this.placeholder(value, 'token') };
  }

  private pair({ name, value }: HarNameValue): HarNameValue {
    return { name, value: SECRET_FIELDS.has(name.toLowerCase()) ? this.placeholder(value, 'secret') : value };
  }

  /** A JSON or form-encoded body with `fields` masked; other bodies as they are. Untouched bodies keep their bytes. */
  private body(text: string, mimeType: string, fields: ReadonlySet<string>): string {
    if (/json/i.test(mimeType)) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return text;
      }
      const masked = this.json(value, fields);
      return masked === value ? text : JSON.stringify(masked);
    }
    if (/x-www-form-urlencoded/i.test(mimeType)) {
      const params = new URLSearchParams(text);
      if (![...params.keys()].some((key) => SECRET_FIELDS.has(key.toLowerCase()))) return text;
      return new URLSearchParams([...params].map(([name, value]): [string, string] => [name, this.pair({ name, value }).value])).toString();
    }
    return text;
  }

  /** The value with `fields` masked; the very same value when there was nothing to mask. */
  private json(value: unknown, fields: ReadonlySet<string>): unknown {
    if (value === null || typeof value !== 'object') return value;
    let changed = false;
    const each = (key: string, item: unknown): unknown => {
      const masked =
        fields.has(key.toLowerCase()) && (typeof item === 'string' || typeof item === 'number')
          ? this.placeholder(String(item), TOKEN_FIELDS.has(key.toLowerCase()) ? 'token' : 'secret')
          : this.json(item, fields);
      if (masked !== item) changed = true;
      return masked;
    };
    const result = Array.isArray(value)
      ? value.map((item) => each('', item))
      : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, each(key, item)]));
    return changed ? result : value;
  }
}
