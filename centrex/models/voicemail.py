"""Kept for migration 0001, which names `centrex.models.voicemail.audio_upload_to` as the upload
path of voicemail audio: migrations that have landed are never edited. The models of voicemail
live in `centrex.voicemail.models`.
"""

from centrex.voicemail.models import audio_upload_to

__all__ = ["audio_upload_to"]
