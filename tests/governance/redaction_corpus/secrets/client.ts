// API client (FAKE credentials for the redaction corpus)
import axios from "axios";

const apiKey = "9NNDBMpQCQtDmTG03fKqJ7qGGM0htUbQ";
export const config = {
  stripeKey: 'sk_test_FAKEJ0hEezJlt34tRyRG190O5lxluXci',
  password: "p@ss(FAKE)qRQJ4d",
  firebase: { apiKey: "AIzaSyFAKEPrVsNIB0afQEvFtmMTi3li8A1Z7Oe" },
};

export const http = axios.create({
  baseURL: "https://api.example.com",
  headers: { Authorization: `Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXItMTIzNCIsIm5hbWUiOiJGQUtFIFVzZXIiLCJpYXQiOjE3MDAwMDAwMDB9.WsHBtygmkmjqneYkcP27P8snos42ahTCPmTEWERNGYN` },
});
