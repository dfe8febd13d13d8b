"""Chatbot: the `sendChatMessage` relay to the Rasa assistant in bots/."""
