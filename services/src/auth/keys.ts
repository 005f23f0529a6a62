import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKEN_ALGORITHM } from '../lib/token-verifier.ts';

/** An EC P-256 public key as published in the JWKS document. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof TOKEN_ALGORITHM;
  use: 'sig';
}

/** The key access tokens are signed with, and its public half under its key id. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

/** File name of the development key inside the data directory. */
export const DEV_KEY_FILE = 'auth-signing-key.pem';

/**
 * Builds a signing key from a PKCS#8 or SEC1 PEM. The key id is the RFC 7638 thumbprint of the
 * public key, so the same key always has the same id and a new key gets a new one.
 */
export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    throw new Error('the signing key must be an EC P-256 private key (ES256)');
  }
  const publicKey = createPublicKey(privateKey);
  const { x, y } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string' || typeof y !== 'string') throw new Error('EC key has no coordinates');

  const thumbprintInput = JSON.stringify({ crv: 'P-256', kty: 'EC', x, y });
  const kid = createHash('sha256').update(thumbprintInput).digest('base64url');
  const jwk: PublicJwk = { kty: 'EC', crv: 'P-256', x, y, kid, alg: TOKEN_ALGORITHM, use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

/** A fresh key, for tests and first start-up. */
export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return signingKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
}

/**
 * Loads the signing key from `keyFile` when set (production: a mounted secret). Otherwise uses
 * the development key in `dataDir`, generating it on first start, so tokens survive restarts of
 * a local stack. The data directory ignores itself in git.
 */
export async function loadSigningKey(
  keyFile: string | undefined,
  dataDir: string,
): Promise<SigningKey> {
  if (keyFile) return signingKeyFromPem(await readFile(keyFile, 'utf8'));

  const devKeyPath = join(dataDir, DEV_KEY_FILE);
  const existing = await readFile(devKeyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (existing) return signingKeyFromPem(existing);

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, '.gitignore'), '*\n');
  const key = generateSigningKey();
  const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    await writeFile(devKeyPath, pem, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    // Another process started at the same moment and wrote its key first: use that one.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return signingKeyFromPem(await readFile(devKeyPath, 'utf8'));
  }
}

/** The JWKS document verifiers fetch: every key a current token may name. */
export function jwksDocument(keys: readonly SigningKey[]): { keys: PublicJwk[] } {
  return { keys: keys.map((key) => key.jwk) };
}
