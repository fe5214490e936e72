/**
 * `describe` for the real-stack tests: they run when pcscd, vpcd, libpcsclite and pcsc-tools are
 * installed; under CI=true a missing piece fails the run (it never skips silently); on a laptop
 * without them they are skipped with the command that installs them.
 */
import { describe, it } from 'vitest';
import { PCSC_INSTALL_HINT, pcscStackProblems } from './pcscd-fixture.ts';

export function describePcsc(name: string, body: () => void): void {
  const problems = pcscStackProblems();
  if (problems.length === 0) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('has the PC/SC test stack installed', () => {
        throw new Error(`missing ${problems.join(', ')}: ${PCSC_INSTALL_HINT}`);
      });
    });
  } else {
    console.warn(`${name}: skipped, missing ${problems.join(', ')} — ${PCSC_INSTALL_HINT}`);
    describe.skip(`${name} — skipped, missing ${problems.join(', ')}: ${PCSC_INSTALL_HINT}`, body);
  }
}
