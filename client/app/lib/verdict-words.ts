import { Outcome } from '@truerun/shared-sim';
import {
  JoinErrorName,
  ProtocolErrorCode,
  Verdict,
  VerdictReason,
} from '@truerun/shared-sim/protocol';
import { LinkFailure } from '../game/room-link.ts';

/** What a verdict reason means, in words a player understands. */
export const REASON_WORDS: Readonly<Record<string, string>> = {
  [VerdictReason.OK]: 'The server replayed every input and got the same run. Your score counts.',
  [VerdictReason.TOO_FAST]:
    'Your inputs arrived faster than real time, as if the game clock was sped up.',
  [VerdictReason.MALFORMED]: 'The game sent messages the server could not read.',
  [VerdictReason.OVERSIZED]: 'The game sent more inputs at once than the server accepts.',
  [VerdictReason.UNDEFINED_BITS]: 'The game sent button presses that do not exist.',
  [VerdictReason.CONTRADICTS_EARLIER]: 'The game changed inputs it had already sent.',
  [VerdictReason.FLOODING]: 'The game sent far too many messages.',
  [VerdictReason.INPUTS_AFTER_END]: 'The game kept playing after the server saw the run end.',
  [VerdictReason.CLAIM_MISMATCH]:
    'The score your game reported is not what the server got when it replayed your inputs.',
  [VerdictReason.TOO_SLOW]:
    'The run fell too far behind real time (a slow connection or a long pause). ' +
    'Not a penalty, just not ranked.',
  [VerdictReason.NO_CLAIM]: 'The run ended on the server but your game never reported its result.',
  [VerdictReason.SERVER_SHUTDOWN]: 'The server restarted before your run ended. Not your fault.',
  [VerdictReason.DISCONNECTED]: 'The connection dropped and did not come back in time.',
  [VerdictReason.LEFT]: 'You left the run before it ended.',
};

/** Why a run could not even be judged, in words. */
export const FAILURE_WORDS: Readonly<Record<string, string>> = {
  [JoinErrorName[4401]]: 'Your sign-in has expired. Log in again to play ranked.',
  [JoinErrorName[4426]]: 'This version of the game is out of date. Reload the page.',
  [JoinErrorName[4409]]: 'The game rules were updated. Reload the page to get them.',
  [JoinErrorName[4429]]: 'You are already playing in another tab.',
  [LinkFailure.UNREACHABLE]: 'The game server could not be reached.',
  [LinkFailure.CLOSED]: 'The connection to the game server closed.',
  [LinkFailure.PROTOCOL_VIOLATION]: 'The server disconnected the game for breaking the protocol.',
  [LinkFailure.FLOODING]: 'The server disconnected the game for sending too many messages.',
  [LinkFailure.SERVER_SHUTDOWN]: 'The game server is restarting. Try again in a moment.',
  [ProtocolErrorCode.COURSE_EXPIRED]:
    'The season moved on to a new course while you waited. Start a new run to play it.',
};

/** Headline of each verdict. */
export const VERDICT_TITLES: Readonly<Record<string, string>> = {
  [Verdict.VERIFIED]: 'Verified',
  [Verdict.REJECTED]: 'Rejected',
  [Verdict.UNRANKED]: 'Unranked',
  [Verdict.ABANDONED]: 'Abandoned',
};

/** How the run itself ended. */
export const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  [Outcome.FINISHED]: 'Reached the finish flag',
  [Outcome.FELL]: 'Fell into a gap',
  [Outcome.DEFEATED]: 'Ran out of hit points',
  [Outcome.TIMED_OUT]: 'Ran out of time',
  [Outcome.RUNNING]: 'Cut short',
};

/** Words for a reason or failure code; unknown codes are shown as they are. */
export function explain(code: string | null | undefined): string {
  if (!code) return '';
  return REASON_WORDS[code] ?? FAILURE_WORDS[code] ?? `The server said: ${code}.`;
}
