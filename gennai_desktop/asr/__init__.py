"""Speech recognition of meeting audio (Whisper on CTranslate2 via faster-whisper), offline.

The model runs only in a sandboxed child (``asr_worker``, started by ``runner``); the parent
keeps what the child reported, so a cancel or a crash still leaves the utterances already
recognised. ``transcript`` holds the data types and the subtitle/text writers. See docs/asr.md.
"""
