// SMS consent keywords. Twilio's default STOP filtering on long codes treats a message whose whole body, trimmed and
// in any case, is one of these as an opt-out or opt-in (docs: "Customize users' opt-in and opt-out experience with
// Advanced Opt-Out"; help article "Twilio support for opt-out keywords (SMS STOP filtering)"). HELP and INFO only
// trigger Twilio's help reply: they are ordinary messages here.
export const OPT_OUT_KEYWORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
];
export const OPT_IN_KEYWORDS: readonly string[] = ['START', 'YES', 'UNSTOP', 'OPTIN'];

export type Consent = 'opted_out' | 'opted_in';

/**
 * The consent a message expresses. With Advanced Opt-Out (a Messaging Service's own keywords, other languages) Twilio
 * adds `OptOutType` (STOP, START or HELP): it wins, since the service's keywords may not be the defaults.
 */
export function consentOf(body: string | null, optOutType: string | null): Consent | undefined {
  if (optOutType !== null && optOutType.trim() !== '') {
    const type = optOutType.trim().toUpperCase();
    return type === 'STOP' ? 'opted_out' : type === 'START' ? 'opted_in' : undefined;
  }
  const word = (body ?? '').trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.includes(word)) return 'opted_out';
  if (OPT_IN_KEYWORDS.includes(word)) return 'opted_in';
  return undefined;
}
