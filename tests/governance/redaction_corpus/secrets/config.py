"""Service settings. Every value here is FAKE (redaction corpus)."""
import os

import boto3

DEBUG = False
SECRET_KEY = "django-insecure-FAKE-_+_mrpsjlr8d&7rv_sp92^c27+7uk9"
OPENAI_API_KEY = "sk-proj-FAKESUG_NQ-i6u9fYEHMvQL9DtWHpSLxI7Ul6u5q_8QRE6tEunJLwfZXaJjXA36bT3BlbkFJFSAgE2e-o9xcnbRP0SdKn9Y5lLQPgeGScaoHoH8AA1b"
LEGACY_OPENAI_KEY = 'sk-FAKEH7XgnYCl9syYXPIYT3BlbkFJLcxbqudfSHA4ZgG53mC7'
ANTHROPIC_API_KEY = "sk-ant-api03-FAKEgFM5XenktxcGmG72VkqJgb2KJS3z9cbqq9wgjAdQiWCCzb1aZskot1HerOZ54dOHCLS-qo9KplNbF15mgAhw6oMYD-FAKEAA"
GOOGLE_MAPS_KEY = "AIzaSyFAKEPrVsNIB0afQEvFtmMTi3li8A1Z7Oe"
SLACK_BOT = "xoxb-935014763262-1583542207649-FAKEO4mKSzGUH2MTE5W7DL8J"
SIGNING_MATERIAL = "1ticRDpUKcwGQ14TuMt/DNePFXinUdP0TtiuKMKU"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "USER": "app",
        "PASSWORD": "S3cure-FAKE-PE22A9jF",
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIAFAKECQT8JKSZPRFK",
    aws_secret_access_key="gfBLoO+8lW2dgMMpFkEXAMPLEFJXHcJizlG8HjiS",
)

def headers() -> dict[str, str]:
    return {"Authorization": "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXItMTIzNCIsIm5hbWUiOiJGQUtFIFVzZXIiLCJpYXQiOjE3MDAwMDAwMDB9.WsHBtygmkmjqneYkcP27P8snos42ahTCPmTEWERNGYN"}
