import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CompactSign, calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { generateSigningKey } from '../../src/keys/generate-signing-key.ts';
import { rsaModulusLengths, signingAlgorithms } from '../../src/keys/signing-algorithms.ts';
import { withoutPrivateMembers } from '../../src/keys/signing-jwk.ts';

const cases = [
  ...signingAlgorithms.filter((alg) => alg !== 'RS256').map((alg) => ({ alg, rsaModulusLength: undefined })),
  ...rsaModulusLengths.map((rsaModulusLength) => ({ alg: 'RS256' as const, rsaModulusLength })),
];

for (const { alg, rsaModulusLength } of cases) {
  it(`generates a working ${alg}${rsaModulusLength ? ` ${rsaModulusLength}-bit` : ''} key pair`, async (t) => {
    const startedAt = performance.now();
    const key = await generateSigningKey(alg, rsaModulusLength === undefined ? {} : { rsaModulusLength });
    // Reported, not asserted: it depends on the machine. RSA is the slow one.
    t.diagnostic(`generated in ${Math.round(performance.now() - startedAt)} ms`);

    assert.equal(key.kid, await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    assert.deepEqual(withoutPrivateMembers(key.privateJwk), key.publicJwk);
    assert.equal('d' in key.publicJwk, false);
    if (rsaModulusLength !== undefined) {
      assert.equal(Buffer.from(key.publicJwk.n ?? '', 'base64url').length * 8, rsaModulusLength);
    }
    const payload = new TextEncoder().encode('signed by guichet');
    const signature = await new CompactSign(payload)
      .setProtectedHeader({ alg, kid: key.kid })
      .sign(await importJWK(key.privateJwk, alg));
    const verified = await compactVerify(signature, await importJWK(key.publicJwk, alg));
    assert.deepEqual(verified.payload, payload);
  });
}
