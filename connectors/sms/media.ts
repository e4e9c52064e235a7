// Attachment kinds for media Twilio reports by content type, and for media URLs a flow sends.
import type { AttachmentRef } from '../sdk/index.js';

export function attachmentType(mimeType: string | undefined): AttachmentRef['type'] {
  const type = (mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (type === 'text/vcard' || type === 'text/x-vcard' || type === 'text/directory') return 'contact';
  return type === '' ? 'other' : 'file';
}

const BY_EXTENSION: Readonly<Record<string, AttachmentRef['type']>> = {
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  webp: 'image',
  bmp: 'image',
  mp3: 'audio',
  m4a: 'audio',
  ogg: 'audio',
  oga: 'audio',
  amr: 'audio',
  wav: 'audio',
  mp4: 'video',
  mpeg: 'video',
  '3gp': 'video',
  mov: 'video',
  webm: 'video',
  vcf: 'contact',
  pdf: 'file',
  txt: 'file',
};

/** A best guess from the URL's file extension (the conversation shows it; Twilio decides from the fetched bytes). */
export function attachmentTypeOfUrl(url: string): AttachmentRef['type'] {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a URL: the caller rejects it
  }
  const ext = /\.([a-z0-9]{2,5})$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION[ext]) || 'file';
}
