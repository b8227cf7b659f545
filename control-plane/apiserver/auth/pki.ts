// The cluster's certificates, as kubeadm's `init phase certs` lays them out: a CA, the
// apiserver's serving certificate (SANs for every address clients dial) and an admin
// client certificate (CN = user, O = groups, which the x509 authenticator maps back).
// ECDSA P-256 keys signed with SHA-256: fast to generate, and accepted by Go's TLS
// (kubectl) and OpenSSL. Private keys are PKCS#8 PEM, files 0600 in a 0700 directory.
import { X509Certificate as NodeX509, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';
import { PkiError } from './errors.js';
import {
  CA_VALIDITY_DAYS, CERT_BACKDATE_MS, LEAF_VALIDITY_DAYS_DEFAULT, LEAF_VALIDITY_DAYS_MAX, MAX_PEM_FILE_BYTES,
  MAX_SERVING_CERT_HOSTS,
} from './limits.js';
import { installReflectMetadata } from './reflect-metadata.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export interface ServingCertOptions {
  commonName: string;
  /** IP addresses and DNS names, all put in subjectAltName. */
  hosts: string[];
  days?: number;
}

export interface ClientCertOptions {
  user: string;
  groups: string[];
  days?: number;
}

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

let lib: Promise<typeof X509> | undefined;

/** Loads @peculiar/x509 on first use, so importing this package has no global side effect until PKI is needed. */
function x509(): Promise<typeof X509> {
  lib ??= (async () => {
    installReflectMetadata();
    const m = await import('@peculiar/x509');
    m.cryptoProvider.set(webcrypto as unknown as Parameters<typeof m.cryptoProvider.set>[0]);
    return m;
  })();
  return lib;
}

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: at most 20 octets, unique per CA). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] as number) & 0x7f) | 0x01;
  return b.toString('hex');
}

function pemBody(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (m === null) throw new PkiError(`expected a PEM block "${label}"`);
  return Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64');
}

async function keyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  try {
    return await webcrypto.subtle.importKey('pkcs8', pemBody(pem, 'PRIVATE KEY'), KEY_ALGORITHM, false, ['sign']);
  } catch (e) {
    throw new PkiError(`the CA key is not a PKCS#8 ECDSA P-256 private key: ${(e as Error).message}`, { cause: e });
  }
}

function validityDays(days: number | undefined): number {
  const d = days ?? LEAF_VALIDITY_DAYS_DEFAULT;
  if (!Number.isInteger(d) || d < 1 || d > LEAF_VALIDITY_DAYS_MAX) {
    throw new PkiError(`days must be an integer from 1 to ${LEAF_VALIDITY_DAYS_MAX}, got ${d}`);
  }
  return d;
}

/** A self-signed CA: basicConstraints CA:TRUE (critical), keyCertSign + cRLSign, 10 years as kubeadm. */
export async function generateCa(commonName: string): Promise<CertKeyPair> {
  const m = await x509();
  const keys = await keyPair();
  const now = Date.now();
  const cert = await m.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now - CERT_BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new m.BasicConstraintsExtension(true, undefined, true),
      new m.KeyUsagesExtension(m.KeyUsageFlags.keyCertSign | m.KeyUsageFlags.cRLSign |
        m.KeyUsageFlags.digitalSignature, true),
      await m.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

interface LeafSpec {
  subject: X509.JsonName;
  usage: 'serverAuth' | 'clientAuth';
  sans?: X509.JsonGeneralName[];
  days: number;
}

/** A leaf signed by the CA; its notAfter never passes the CA's. */
async function issueLeaf(ca: CertKeyPair, spec: LeafSpec): Promise<CertKeyPair> {
  const m = await x509();
  let caCert: X509.X509Certificate;
  try {
    caCert = new m.X509Certificate(ca.certPem);
  } catch (e) {
    throw new PkiError(`the CA certificate is not a PEM certificate: ${(e as Error).message}`, { cause: e });
  }
  const signingKey = await importPrivateKey(ca.keyPem);
  const keys = await keyPair();
  const now = Date.now();
  const notAfter = Math.min(now + spec.days * DAY_MS, caCert.notAfter.getTime());
  const extensions: X509.Extension[] = [
    new m.BasicConstraintsExtension(false, undefined, true),
    new m.KeyUsagesExtension(m.KeyUsageFlags.digitalSignature | m.KeyUsageFlags.keyEncipherment, true),
    new m.ExtendedKeyUsageExtension([m.ExtendedKeyUsage[spec.usage]]),
    await m.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await m.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (spec.sans !== undefined && spec.sans.length > 0) {
    extensions.push(new m.SubjectAlternativeNameExtension(spec.sans));
  }
  const cert = await m.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: spec.subject,
    issuer: caCert.subject,
    notBefore: new Date(now - CERT_BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

/** The apiserver's serving certificate: extendedKeyUsage serverAuth, every host in subjectAltName. */
export async function issueServingCert(ca: CertKeyPair, o: ServingCertOptions): Promise<CertKeyPair> {
  if (o.hosts.length === 0) throw new PkiError('a serving certificate needs at least one host (IP or DNS name)');
  if (o.hosts.length > MAX_SERVING_CERT_HOSTS) {
    throw new PkiError(`${o.hosts.length} hosts, more than the limit of ${MAX_SERVING_CERT_HOSTS}`);
  }
  const sans: X509.JsonGeneralName[] = [...new Set(o.hosts)].map((h) => {
    if (isIP(h) !== 0) return { type: 'ip', value: h };
    if (!/^(\*\.)?[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/.test(h)) {
      throw new PkiError(`host ${JSON.stringify(h)} is neither an IP address nor a DNS name`);
    }
    return { type: 'dns', value: h };
  });
  return issueLeaf(ca, { subject: [{ CN: [o.commonName] }], usage: 'serverAuth', sans, days: validityDays(o.days) });
}

/** A client certificate for the x509 authenticator: CN is the user name, each O a group. */
export async function issueClientCert(ca: CertKeyPair, o: ClientCertOptions): Promise<CertKeyPair> {
  if (o.user === '') throw new PkiError('a client certificate needs a user name (its CN)');
  // Go's pkix.Name puts O before CN; the x509 authenticator reads them by type, not position.
  const subject: X509.JsonName = o.groups.length > 0 ? [{ O: [...o.groups] }, { CN: [o.user] }] : [{ CN: [o.user] }];
  return issueLeaf(ca, { subject, usage: 'clientAuth', days: validityDays(o.days) });
}

export interface PkiFiles {
  caFile: string;
  caKeyFile: string;
  servingCertFile: string;
  servingKeyFile: string;
  adminCertFile: string;
  adminKeyFile: string;
}

/** The admin identity ensurePki issues: kubeadm's admin.conf user, in the group bound to cluster-admin. */
export const ADMIN_USER = 'kubernetes-admin';
export const ADMIN_GROUPS: readonly string[] = ['system:masters'];
/** Re-issue a leaf that expires within this margin rather than hand out a nearly dead one. */
const RENEW_BEFORE_MS = 7 * DAY_MS;

async function readPem(file: string): Promise<string | undefined> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PkiError(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (size > MAX_PEM_FILE_BYTES) throw new PkiError(`${file}: ${size} bytes, more than the limit of ${MAX_PEM_FILE_BYTES}`);
  return readFile(file, 'utf8');
}

/** Both files, neither (undefined), or — for the CA only — an error naming what to remove. */
async function readPair(certFile: string, keyFile: string, isCa: boolean): Promise<CertKeyPair | undefined> {
  const [certPem, keyPem] = await Promise.all([readPem(certFile), readPem(keyFile)]);
  if (certPem !== undefined && keyPem !== undefined) return { certPem, keyPem };
  if (isCa && (certPem !== undefined || keyPem !== undefined)) {
    const [has, lacks] = certPem !== undefined ? [certFile, keyFile] : [keyFile, certFile];
    throw new PkiError(`${has} exists but ${lacks} does not: restore it, or remove both to create a new CA ` +
      '(which invalidates every certificate it signed)');
  }
  return undefined;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a PEM. */
async function writeAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, file);
}

async function writePair(certFile: string, keyFile: string, pair: CertKeyPair): Promise<void> {
  await writeAtomic(keyFile, pair.keyPem, 0o600);
  await writeAtomic(certFile, pair.certPem, 0o644);
}

/** Whether an existing leaf is still usable: signed by this CA, not near expiry, covering every host. */
function leafStillGood(pair: CertKeyPair, ca: CertKeyPair, hosts: string[]): boolean {
  try {
    const leaf = new NodeX509(pair.certPem);
    const caCert = new NodeX509(ca.certPem);
    if (!leaf.checkIssued(caCert) || !leaf.verify(caCert.publicKey)) return false;
    if (new Date(leaf.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    return hosts.every((h) => (isIP(h) !== 0 ? leaf.checkIP(h) !== undefined
      : leaf.checkHost(h, { subject: 'never' }) !== undefined));
  } catch {
    return false;
  }
}

/**
 * Creates, or reuses, the CA, the apiserver serving certificate and the admin client
 * certificate in certDir (created 0700; keys written 0600). A new CA re-issues both leaves;
 * a serving certificate that no longer covers `hosts` is re-issued.
 */
export async function ensurePki(certDir: string, o: { hosts: string[] }): Promise<PkiFiles> {
  const files: PkiFiles = {
    caFile: join(certDir, 'ca.crt'), caKeyFile: join(certDir, 'ca.key'),
    servingCertFile: join(certDir, 'apiserver.crt'), servingKeyFile: join(certDir, 'apiserver.key'),
    adminCertFile: join(certDir, 'admin.crt'), adminKeyFile: join(certDir, 'admin.key'),
  };
  try {
    await mkdir(certDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new PkiError(`cannot create the certificate directory ${certDir}: ${(e as Error).message}`, { cause: e });
  }
  let ca = await readPair(files.caFile, files.caKeyFile, true);
  const newCa = ca === undefined;
  if (ca === undefined) {
    ca = await generateCa('flotilla-ca');
    await writePair(files.caFile, files.caKeyFile, ca);
  }
  const serving = await readPair(files.servingCertFile, files.servingKeyFile, false);
  if (newCa || serving === undefined || !leafStillGood(serving, ca, o.hosts)) {
    const pair = await issueServingCert(ca, { commonName: 'kube-apiserver', hosts: o.hosts });
    await writePair(files.servingCertFile, files.servingKeyFile, pair);
  }
  const admin = await readPair(files.adminCertFile, files.adminKeyFile, false);
  if (newCa || admin === undefined || !leafStillGood(admin, ca, [])) {
    const pair = await issueClientCert(ca, { user: ADMIN_USER, groups: [...ADMIN_GROUPS] });
    await writePair(files.adminCertFile, files.adminKeyFile, pair);
  }
  return files;
}
