import { describe, expect, it } from 'vitest';
import {
  attachmentLabel,
  clockTime,
  contactLabel,
  dayLabel,
  excerpt,
  messagePreview,
  relativeTime,
  shortDate,
  statusText,
} from './format.js';

// Local times, so the day boundaries below hold in any time zone.
const at = (y: number, mo: number, d: number, h = 12, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).toISOString();
const NOW = new Date(2025, 2, 12, 15, 0, 0).getTime(); // Wed 12 Mar 2025, 15:00

describe('contactLabel', () => {
  it('prefers the name, then the first identity, then a placeholder', () => {
    expect(contactLabel({ name: 'Ada', identities: [{ kind: 'email', value: 'ada@example.com' }] })).toBe('Ada');
    expect(
      contactLabel({
        name: '  ',
        identities: [
          { kind: 'webchat', value: 'v_123' },
          { kind: 'email', value: 'x@y.z' },
        ],
      }),
    ).toBe('v_123');
    expect(contactLabel({ name: null, identities: [] })).toBe('Unknown contact');
  });
});

describe('excerpt', () => {
  it('keeps short text, collapsing whitespace and newlines', () => {
    expect(excerpt('  Hello\n\n  there\tyou ')).toBe('Hello there you');
  });
  it('cuts long text at a word boundary with an ellipsis, within the limit', () => {
    const text = 'The parcel arrived yesterday but the box was damaged and two items are missing';
    const e = excerpt(text, 40);
    expect(e).toBe('The parcel arrived yesterday but the…');
    expect(Array.from(e).length).toBeLessThanOrEqual(40);
  });
  it('cuts mid-word when there is no space near the end, and never splits an emoji', () => {
    expect(excerpt('a'.repeat(30), 10)).toBe('aaaaaaaaa…');
    expect(excerpt('😀'.repeat(12), 5)).toBe('😀😀😀😀…');
  });
});

describe('attachmentLabel', () => {
  it('names the type and the name, caption or reference', () => {
    expect(attachmentLabel({ type: 'image', ref: 'media-1', name: 'photo.jpg' })).toBe('image: photo.jpg');
    expect(attachmentLabel({ type: 'video', ref: 'media-2', caption: 'unboxing' })).toBe('video: unboxing');
    expect(attachmentLabel({ type: 'file', ref: 'https://files.example/invoice.pdf' })).toBe(
      'file: https://files.example/invoice.pdf',
    );
    expect(attachmentLabel({ ref: '' })).toBe('attachment');
  });
});

describe('messagePreview', () => {
  it('shows the text, marking our own replies', () => {
    expect(messagePreview({ direction: 'in', text: 'Where is my order?', attachments: [] })).toBe('Where is my order?');
    expect(messagePreview({ direction: 'out', text: 'On its way', attachments: [] })).toBe('You: On its way');
  });
  it('falls back to the attachments, then to a placeholder', () => {
    const attachments = [
      { type: 'image', ref: 'm1', name: 'a.jpg' },
      { type: 'image', ref: 'm2' },
    ];
    expect(messagePreview({ direction: 'in', text: null, attachments })).toBe('image: a.jpg (+1 more)');
    expect(messagePreview({ direction: 'in', text: '  ', attachments: [] })).toBe('(no text)');
    expect(messagePreview(null)).toBe('No messages yet');
  });
});

describe('statusText', () => {
  it('is the status, with the reason when it failed', () => {
    expect(statusText({ status: 'delivered', statusError: null })).toBe('delivered');
    expect(statusText({ status: 'failed', statusError: 'number unreachable' })).toBe('failed: number unreachable');
    expect(statusText({ status: 'failed', statusError: null })).toBe('failed');
  });
});

describe('times', () => {
  it('says how long ago in inbox units', () => {
    expect(relativeTime(at(2025, 3, 12, 14, 59, 30), NOW)).toBe('now');
    expect(relativeTime(at(2025, 3, 12, 15, 0, 5), NOW)).toBe('now'); // a clock slightly ahead
    expect(relativeTime(at(2025, 3, 12, 14, 55), NOW)).toBe('5m');
    expect(relativeTime(at(2025, 3, 12, 11, 30), NOW)).toBe('3h');
    expect(relativeTime(at(2025, 3, 10, 9), NOW)).toBe('2d');
    expect(relativeTime(at(2025, 3, 1), NOW)).toBe('1 Mar');
    expect(relativeTime(at(2024, 12, 24), NOW)).toBe('24 Dec 2024');
  });
  it('labels days by the calendar, not by 24-hour spans', () => {
    expect(dayLabel(at(2025, 3, 12, 0, 1), NOW)).toBe('Today');
    expect(dayLabel(at(2025, 3, 11, 23, 59), NOW)).toBe('Yesterday');
    expect(dayLabel(at(2025, 3, 10, 23, 59), NOW)).toBe('Mon 10 Mar');
    expect(dayLabel(at(2024, 3, 10), NOW)).toBe('Sun 10 Mar 2024');
    expect(shortDate(at(2025, 1, 5), NOW)).toBe('5 Jan');
  });
  it('gives the clock time with minutes padded', () => {
    expect(clockTime(at(2025, 3, 12, 9, 5))).toBe('09:05');
  });
});
