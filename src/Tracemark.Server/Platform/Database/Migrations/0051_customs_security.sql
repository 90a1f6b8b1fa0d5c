-- Whether the holder's application for action after an ex officio notice must come with security (PRC regulations,
-- art. 16: apply and post security within 3 working days). Data of the preset, like its periods.
ALTER TABLE customs_presets ADD COLUMN application_security boolean NOT NULL DEFAULT false;
UPDATE customs_presets SET application_security = true WHERE code = 'cn_gacc';
