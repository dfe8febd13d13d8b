"""Administrative procedures (thủ tục hành chính): what citizens browse and the chatbot cites."""
