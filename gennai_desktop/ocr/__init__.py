"""OCR of scanned pages and images (PP-OCRv5 on ONNX Runtime). See engine.py and docs/ocr.md."""
