import argon2 from 'argon2';

/** argon2id cost. The defaults are OWASP's minimum: 19 MiB, 2 passes, 1 lane (~25 ms here). */
export interface PasswordHashing {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_PASSWORD_HASHING: PasswordHashing = {
  memoryCostKiB: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * Hashes and checks passwords with argon2id. Checking a password for an unknown username
 * still costs one verification against a throwaway hash, so response time does not reveal
 * which usernames exist.
 */
export function createPasswordHasher(cost: PasswordHashing = DEFAULT_PASSWORD_HASHING) {
  const options = {
    type: argon2.argon2id as 2,
    memoryCost: cost.memoryCostKiB,
    timeCost: cost.timeCost,
    parallelism: cost.parallelism,
  };
  let decoy: Promise<string> | null = null;

  return {
    hash: (password: string) => argon2.hash(password, options),

    async verify(passwordHash: string | null, password: string): Promise<boolean> {
      if (passwordHash) return argon2.verify(passwordHash, password);
      decoy ??= argon2.hash('decoy password for unknown accounts', options);
      await argon2.verify(await decoy, password);
      return false;
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
