// kube-apiserver's --token-auth-file (k8s.io/apiserver/.../authenticator/token/tokenfile):
// CSV records `token,user,uid[,"group1,group2"]`. Kubernetes only logs a warning for short
// records, empty tokens and duplicates (the last one wins); we refuse the file instead,
// naming the line, because a silently ignored credential line is an outage waiting to happen.
import { readFile, stat } from 'node:fs/promises';
import { TokenFileError } from './errors.js';
import { MAX_TOKEN_FILE_BYTES, MAX_TOKEN_FILE_ENTRIES, MAX_TOKEN_FILE_LINE_CHARS, MAX_USER_GROUPS } from './limits.js';

/** Who a request is from: user.Info without `extra`. */
export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

/**
 * One CSV record (RFC 4180 as Go's encoding/csv reads it): fields separated by commas, a
 * field that starts with a quote runs to the closing quote, `""` inside it is a quote.
 * Quoted fields may not span lines here (Go allows it); tokens never need to.
 */
function splitCsvRecord(line: string, where: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new TokenFileError(`${where}: extraneous or missing " in quoted-field`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += line[i];
        i++;
      }
      if (i < line.length && line[i] !== ',') throw new TokenFileError(`${where}: extraneous or missing " in quoted-field`);
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end === -1 ? line.length : end);
      if (field.includes('"')) throw new TokenFileError(`${where}: bare " in non-quoted-field`);
      i = end === -1 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

function userFromRecord(record: string[], where: string): UserInfo {
  // The uid may be empty, as in Kubernetes; a nameless user would match no binding, so it is refused.
  const [, name = '', uid = '', groupField] = record;
  if (name === '') throw new TokenFileError(`${where}: the user name (second field) is empty`);
  // Kubernetes splits the fourth field on commas; we also drop empty names and blanks around them.
  const groups = groupField === undefined ? [] : groupField.split(',').map((g) => g.trim()).filter((g) => g !== '');
  if (groups.length > MAX_USER_GROUPS) {
    throw new TokenFileError(`${where}: ${groups.length} groups, more than the limit of ${MAX_USER_GROUPS}`);
  }
  return { name, uid, groups };
}

/** Parses the text of a token file; `fileName` only appears in error messages. */
export function parseTokenFile(text: string, fileName: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const firstLine = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    const where = `${fileName}:${n + 1}`;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (line.length > MAX_TOKEN_FILE_LINE_CHARS) {
      throw new TokenFileError(`${where}: line is longer than the limit of ${MAX_TOKEN_FILE_LINE_CHARS} characters`);
    }
    const record = splitCsvRecord(line, where);
    if (record.length < 3) {
      throw new TokenFileError(`${where}: ${record.length} field(s); want token,user,uid[,"group1,group2"]`);
    }
    if (record.length > 4) {
      throw new TokenFileError(`${where}: ${record.length} fields; want at most 4 (quote the groups: "g1,g2")`);
    }
    const token = record[0] as string;
    if (token === '') throw new TokenFileError(`${where}: the token (first field) is empty`);
    const earlier = firstLine.get(token);
    if (earlier !== undefined) throw new TokenFileError(`${where}: duplicate token (first used on line ${earlier})`);
    if (tokens.size >= MAX_TOKEN_FILE_ENTRIES) {
      throw new TokenFileError(`${where}: more than the limit of ${MAX_TOKEN_FILE_ENTRIES} tokens`);
    }
    tokens.set(token, userFromRecord(record, where));
    firstLine.set(token, n + 1);
  }
  return tokens;
}

/** Reads and parses a token file, refusing one larger than MAX_TOKEN_FILE_BYTES. */
export async function loadTokenFile(path: string): Promise<Map<string, UserInfo>> {
  let text: string;
  try {
    const st = await stat(path);
    if (st.size > MAX_TOKEN_FILE_BYTES) {
      throw new TokenFileError(`${path}: ${st.size} bytes, more than the limit of ${MAX_TOKEN_FILE_BYTES}`);
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof TokenFileError) throw e;
    throw new TokenFileError(`cannot read token file ${path}: ${(e as Error).message}`);
  }
  return parseTokenFile(text, path);
}
