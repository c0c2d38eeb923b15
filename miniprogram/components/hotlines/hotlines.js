"use strict";

Component({
  properties: { hotlines: { type: Array, value: [] } },
  methods: {
    onCall(event) {
      const phoneNumber = event.currentTarget.dataset.number;
      // Only digits, + and - reach here (helpline.Hotline validates them): nothing else is dialled.
      if (phoneNumber && /^\+?[0-9-]+$/.test(phoneNumber)) wx.makePhoneCall({ phoneNumber, fail() {} });
    },
  },
});
