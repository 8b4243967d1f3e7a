/**
 * A stand-in for a transactional mail service: it "queues" messages in memory
 * and answers with a message id, the way a real one acknowledges a send.
 */
import { randomBytes } from "node:crypto";

export interface OutgoingMail {
  to: string;
  template: string;
  data: Record<string, string | number>;
}

export interface MailReceipt {
  messageId: string;
  status: "queued";
}

export class FakeMailer {
  /** Everything "sent", newest last (capped: the demo may run for a long time). */
  readonly outbox: OutgoingMail[] = [];

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
    this.outbox.push(mail);
    if (this.outbox.length > 100) this.outbox.shift();
    return { messageId: `msg_${randomBytes(10).toString("hex")}`, status: "queued" };
  }
}
