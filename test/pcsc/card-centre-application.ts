/**
 * An open reissue application at the embedded card centre, as the reissue flow leaves it before
 * production: the person looked up, the loss reported, the application opened.
 */
import type { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';

export async function openReissueApplication(
  centre: EmbeddedCardCentre,
  idNumber: string,
): Promise<string> {
  const signal = new AbortController().signal;
  const person = await centre.lookupPerson(idNumber, signal);
  if (!person.ok) throw new Error(`lookup failed: ${JSON.stringify(person.error)}`);
  const loss = await centre.reportLoss(
    { key: `${idNumber}:loss`, idNumber, cardNo: person.value.cards[0]!.cardNo },
    signal,
  );
  if (!loss.ok) throw new Error(`loss report failed: ${JSON.stringify(loss.error)}`);
  const application = await centre.openApplication(
    { key: `${idNumber}:application`, idNumber, reason: '11' },
    signal,
  );
  if (!application.ok) throw new Error(`application failed: ${JSON.stringify(application.error)}`);
  return application.value.applicationNo;
}
