/** "+447911123456" -> "+44*******456": enough for a support agent to confirm a number with the caller. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const keepHead = phone.startsWith('+') ? 3 : 2;
  if (phone.length <= keepHead + 3) return '*'.repeat(phone.length);
  return phone.slice(0, keepHead) + '*'.repeat(phone.length - keepHead - 3) + phone.slice(-3);
}
