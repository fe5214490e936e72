/**
 * Every string the resident (or a tester) can see, by key.
 *
 * `zh-CN` is the source catalogue: its keys define `MessageKey`. `en` is typed
 * `Record<MessageKey, string>`, so a missing or misspelt English key is a compile error
 * (and `messages.test.ts` checks the same at run time, plus no empty strings and matching
 * `{placeholders}`).
 *
 * Wording: short sentences, everyday words, one idea per sentence — many residents read poorly.
 * Each screen has exactly one `<screen>.instruction` key: the sentence voice guidance will speak.
 */
import type { FailureReason, Language, ProductionStage, ScreenId } from '../../bridge/protocol.ts';

export const zhCN = {
  'app.title': '马上办 · 社保卡自助补办',
  'app.brand': '马上办',
  'lang.switchTo': 'English',
  step: '第 {index} 步 / 共 {total} 步',

  'connecting.title': '正在连接…',
  'connecting.instruction': '请稍等，马上就好。',

  'attract.title': '社会保障卡自助补办',
  'attract.instruction': '社保卡丢了？点下面的按钮，马上补办新卡。',
  'attract.start': '补办社保卡',
  'attract.bring': '请准备好您的身份证',
  'attract.how': '办理步骤',
  'attract.how.id': '放身份证',
  'attract.how.photo': '拍照核对',
  'attract.how.card': '取走新卡',

  'identify.title': '请把身份证放在感应区',
  'identify.instruction': '把身份证平放在感应区上，放好后不要拿开。',
  'identify.picture': '图：身份证放在感应区上',

  'verifying.title': '请看着摄像头',
  'verifying.instruction': '请正对摄像头，摘下帽子和眼镜，然后点“拍照”。',
  'verifying.retry.instruction': '刚才没有看清。请再正对摄像头，不要动，然后点“拍照”。',
  'verifying.checking.title': '正在核对照片，请稍候',
  'verifying.checking.instruction': '正在核对您的照片，请稍候。',
  'verifying.take': '拍照',
  'verifying.attempt': '第 {n} 次，共 {total} 次',
  'verifying.preview': '摄像头画面：请让脸在圆框里',
  'verifying.picture': '图：正对摄像头，脸放在圆框里',
  'verifying.cameraUnavailable': '摄像头现在不能用。请点“取消”，到柜台办理。',

  'lookup.title': '正在查询，请稍候',
  'lookup.instruction': '正在查找您的社保卡信息。请不要拿走身份证。',

  'confirm.title': '请核对您的信息',
  'confirm.instruction': '请看姓名和身份证号对不对。没有问题，请点“确认补办”。',
  'confirm.name': '姓名',
  'confirm.idNumber': '身份证号',
  'confirm.whatHappens': '接下来会：',
  'confirm.reportLost': '挂失您的旧卡，旧卡以后不能再用',
  'confirm.temporarilyLost': '您的旧卡已临时挂失，现在正式挂失，旧卡以后不能再用',
  'confirm.alreadyReportedLost': '您的旧卡已经挂失了，不用再挂失',
  'confirm.makeNew': '马上为您制作一张新卡',
  'confirm.fee': '费用：',
  'confirm.free': '免费',
  'confirm.confirm': '确认补办',

  'payment.title': '请付款',
  'payment.instruction': '请打开手机上的付款码，对准扫码口。',
  'payment.amount': '应付金额',
  'payment.picture': '图：把手机付款码对准扫码口',
  'payment.charging.title': '正在付款，请稍候',
  'payment.charging.instruction': '正在付款，请稍候，不要离开。',
  'payment.declined.title': '付款没有成功',
  'payment.declined.instruction': '没有扣钱。请换一个付款码再试一次，或者点“取消”。',
  'payment.settling.title': '正在确认付款，请稍候',
  'payment.settling.instruction': '正在确认付款结果，请稍候，不要离开。',
  'payment.retry': '再试一次',

  'producing.title': '正在制卡，请稍候',
  'producing.instruction': '新卡正在制作。请不要离开，也不要拿走身份证。',
  'producing.attempt': '第 {n} 次尝试',
  'producing.stages': '制卡进度',
  'stage.reportingLoss': '挂失旧卡',
  'stage.feeding': '取出空白卡',
  'stage.writingChip': '写入芯片',
  'stage.printing': '打印卡面',
  'stage.ejecting': '送出新卡',
  'stageState.done': '已完成',
  'stageState.current': '正在进行',
  'stageState.pending': '还没开始',

  'collect.title': '请取走您的新社保卡',
  'collect.instruction': '新卡已经从出卡口出来了，请马上取走。',
  'collect.picture': '图：新卡从出卡口出来',

  'receipt.title': '请取走凭条',
  'receipt.instruction': '请取走凭条并收好，以后查询要用。',
  'receipt.transactionNo': '业务流水号',
  'receipt.keepNumber': '如果没有拿到凭条，请记下这个号码。',
  'receipt.picture': '图：凭条从出纸口出来',

  'takeIdCard.title': '请取走您的身份证',
  'takeIdCard.instruction': '请从感应区拿走您的身份证，别忘了带走。',
  'takeIdCard.picture': '图：从感应区拿走身份证',

  'failed.title': '没能办完',
  'failed.instruction': '请点“返回首页”。需要帮助，请到柜台找工作人员。',
  'failed.back': '返回首页',
  'failed.idUnreadable.title': '读不出您的身份证',
  'failed.idUnreadable.advice':
    '请把身份证平放在感应区上，不要移动，再试一次。还是不行，请到柜台办理。',
  'failed.idNotGenuine.title': '这张身份证没有通过核验',
  'failed.idNotGenuine.advice': '本机不能为您办理。请带上身份证到柜台，工作人员会帮您。',
  'failed.idExpired.title': '您的身份证已经过期',
  'failed.idExpired.advice': '请带上有效的身份证再来办理，或者到柜台问工作人员。',
  'failed.faceMismatch.title': '照片没有核对上',
  'failed.faceMismatch.advice': '本机不能为您办理。请本人带上身份证到柜台，工作人员会帮您。',
  'failed.noCardOnFile.title': '没有找到您的社保卡记录',
  'failed.noCardOnFile.advice': '本机不能为您补办。请带上身份证到柜台办理。',
  'failed.noArchivedPhoto.title': '没有找到您的存档照片',
  'failed.noArchivedPhoto.advice': '制卡需要存档照片。请到柜台办理，工作人员会帮您拍照。',
  'failed.nameNotPrintable.title': '本机打印不了您的名字',
  'failed.nameNotPrintable.advice': '您的名字里有本机打印不了的字。请到柜台办理，工作人员会帮您。',
  'failed.cardCentreUnreachable.title': '暂时连不上社保系统',
  'failed.cardCentreUnreachable.advice': '请过一会儿再试，或者到柜台办理。',
  'failed.deviceNotReady.title': '机器暂时不能制卡',
  'failed.deviceNotReady.advice': '请到柜台办理，工作人员会帮您。',
  'failed.recordsUnavailable.title': '机器暂时不能办理',
  'failed.recordsUnavailable.advice': '本机现在不能记录办理过程。请到柜台办理，工作人员会帮您。',
  'failed.paymentFailed.title': '付款没有成功',
  'failed.paymentFailed.advice': '没有扣您的钱。请过一会儿再试，或者到柜台办理。',
  'failed.paymentUnresolved.title': '付款结果还不清楚',
  'failed.paymentUnresolved.advice':
    '如果扣了钱，会自动退回。请记下下面的号码，到柜台找工作人员，他们会帮您查。',
  'failed.productionFailed.title': '新卡没有做成',
  'failed.productionFailed.advice': '请到柜台找工作人员，告诉他们下面的号码，他们会帮您处理。',
  'failed.timeout.title': '等待时间太长，本次办理已结束',
  'failed.timeout.advice': '如果还要办理，请重新开始。有问题请到柜台问工作人员。',
  'failed.refunded': '您付的钱已经退回到原来的付款账户。',
  'failed.refundPending': '您付的钱正在退回，工作人员已经知道。请记下下面的号码。',

  'outOfService.title': '暂停服务',
  'outOfService.instruction': '本机现在不能使用。请到柜台办理。给您带来不便，请原谅。',

  'idle.title': '您还在吗？',
  'idle.instruction': '如果还要继续办理，请点“继续”。',
  'idle.countdown': '还剩 {seconds} 秒',
  'idle.continue': '继续',

  'common.cancel': '取消',

  'voice.repeat': '再听一遍',
  'voice.stop': '停止朗读',

  'sim.title': '模拟设备',
  'sim.placeIdCard': '放置模拟身份证',
  'sim.removeIdCard': '拿走身份证',
  'sim.takeCard': '取走新卡',
  'sim.idOnReader': '身份证在感应区上',
  'sim.idNotOnReader': '感应区上没有身份证',
  'sim.cardAtExit': '新卡在出卡口',
  'sim.noCardAtExit': '出卡口没有卡',
  'sim.scanPaid': '出示付款码',
  'sim.scanDeclined': '出示余额不足的付款码',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof zhCN;

export const en: Record<MessageKey, string> = {
  'app.title': 'Mashang · Social-security card self-service',
  'app.brand': 'Mashang',
  'lang.switchTo': '中文',
  step: 'Step {index} of {total}',

  'connecting.title': 'Connecting…',
  'connecting.instruction': 'Please wait a moment.',

  'attract.title': 'Social-security card self-service',
  'attract.instruction': 'Lost your card? Press the button below to get a new one now.',
  'attract.start': 'Reissue a lost card',
  'attract.bring': 'Have your ID card ready',
  'attract.how': 'How it works',
  'attract.how.id': 'Place your ID card',
  'attract.how.photo': 'Have your photo taken',
  'attract.how.card': 'Take your new card',

  'identify.title': 'Place your ID card on the reader',
  'identify.instruction': 'Lay your ID card flat on the reader. Leave it there.',
  'identify.picture': 'Picture: an ID card on the reader',

  'verifying.title': 'Look at the camera',
  'verifying.instruction':
    'Face the camera. Take off your hat and glasses, then press "Take photo".',
  'verifying.retry.instruction':
    'The photo was not clear. Face the camera again, keep still, then press "Take photo".',
  'verifying.checking.title': 'Checking your photo, please wait',
  'verifying.checking.instruction': 'We are checking your photo. Please wait.',
  'verifying.take': 'Take photo',
  'verifying.attempt': 'Try {n} of {total}',
  'verifying.preview': 'Camera view: keep your face in the circle',
  'verifying.picture': 'Picture: face the camera, your face in the circle',
  'verifying.cameraUnavailable':
    'The camera is not working right now. Press "Cancel" and go to the service counter.',

  'lookup.title': 'Checking your records, please wait',
  'lookup.instruction': 'We are looking up your card. Please leave your ID card on the reader.',

  'confirm.title': 'Please check your details',
  'confirm.instruction': 'Check your name and ID number. If they are right, press "Confirm".',
  'confirm.name': 'Name',
  'confirm.idNumber': 'ID number',
  'confirm.whatHappens': 'What will happen:',
  'confirm.reportLost': 'Your old card is reported lost. It will stop working.',
  'confirm.temporarilyLost':
    'Your old card is reported lost for now. It will be reported lost for good and stop working.',
  'confirm.alreadyReportedLost': 'Your old card is already reported lost.',
  'confirm.makeNew': 'A new card is made for you now.',
  'confirm.fee': 'Fee:',
  'confirm.free': 'Free',
  'confirm.confirm': 'Confirm',

  'payment.title': 'Please pay',
  'payment.instruction': 'Open the payment code on your phone and hold it to the scanner.',
  'payment.amount': 'Amount to pay',
  'payment.picture': "Picture: hold the phone's payment code to the scanner",
  'payment.charging.title': 'Paying, please wait',
  'payment.charging.instruction': 'Your payment is going through. Please wait here.',
  'payment.declined.title': 'The payment did not go through',
  'payment.declined.instruction':
    'You were not charged. Try again with another payment code, or press "Cancel".',
  'payment.settling.title': 'Checking the payment, please wait',
  'payment.settling.instruction':
    'We are checking whether the payment went through. Please wait here.',
  'payment.retry': 'Try again',

  'producing.title': 'Making your card, please wait',
  'producing.instruction': 'Your new card is being made. Please stay here and leave your ID card.',
  'producing.attempt': 'Attempt {n}',
  'producing.stages': 'Progress',
  'stage.reportingLoss': 'Report the old card lost',
  'stage.feeding': 'Take a blank card',
  'stage.writingChip': 'Write the chip',
  'stage.printing': 'Print the card',
  'stage.ejecting': 'Hand out the new card',
  'stageState.done': 'done',
  'stageState.current': 'in progress',
  'stageState.pending': 'not started',

  'collect.title': 'Please take your new card',
  'collect.instruction': 'Your new card is at the card slot. Please take it now.',
  'collect.picture': 'Picture: the new card coming out of the slot',

  'receipt.title': 'Please take your receipt',
  'receipt.instruction': 'Take your receipt and keep it. You may need it later.',
  'receipt.transactionNo': 'Transaction number',
  'receipt.keepNumber': 'If you did not get a receipt, please write down this number.',
  'receipt.picture': 'Picture: the receipt coming out of the printer',

  'takeIdCard.title': 'Please take your ID card',
  'takeIdCard.instruction': 'Take your ID card from the reader. Do not leave it behind.',
  'takeIdCard.picture': 'Picture: taking the ID card off the reader',

  'failed.title': 'This could not be finished',
  'failed.instruction': 'Press "Back to start". For help, go to the service counter.',
  'failed.back': 'Back to start',
  'failed.idUnreadable.title': 'Your ID card could not be read',
  'failed.idUnreadable.advice':
    'Lay the ID card flat on the reader, keep it still, and try again. If it still fails, go to the service counter.',
  'failed.idNotGenuine.title': 'This ID card did not pass the check',
  'failed.idNotGenuine.advice':
    'This machine cannot help you. Please take your ID card to the service counter.',
  'failed.idExpired.title': 'Your ID card has expired',
  'failed.idExpired.advice':
    'Please come back with a valid ID card, or ask at the service counter.',
  'failed.faceMismatch.title': 'Your photo did not match',
  'failed.faceMismatch.advice':
    'This machine cannot help you. Please come to the service counter in person with your ID card.',
  'failed.noCardOnFile.title': 'No social-security card found for you',
  'failed.noCardOnFile.advice':
    'This machine cannot reissue your card. Please take your ID card to the service counter.',
  'failed.noArchivedPhoto.title': 'No photo of you is on file',
  'failed.noArchivedPhoto.advice':
    'A card needs a photo on file. Please go to the service counter; the staff will take one.',
  'failed.nameNotPrintable.title': 'This machine cannot print your name',
  'failed.nameNotPrintable.advice':
    'Your name has a character this machine cannot print. Please go to the service counter.',
  'failed.cardCentreUnreachable.title': 'The card system cannot be reached right now',
  'failed.cardCentreUnreachable.advice': 'Please try again later, or go to the service counter.',
  'failed.deviceNotReady.title': 'This machine cannot make cards right now',
  'failed.deviceNotReady.advice': 'Please go to the service counter. The staff will help you.',
  'failed.recordsUnavailable.title': 'This machine cannot serve you right now',
  'failed.recordsUnavailable.advice':
    'It cannot keep a record of your visit. Please go to the service counter.',
  'failed.paymentFailed.title': 'The payment did not go through',
  'failed.paymentFailed.advice':
    'You were not charged. Please try again later, or go to the service counter.',
  'failed.paymentUnresolved.title': 'We cannot tell yet whether you paid',
  'failed.paymentUnresolved.advice':
    'If you were charged, the money comes back by itself. Write down the number below and show it at the service counter.',
  'failed.productionFailed.title': 'Your new card could not be made',
  'failed.productionFailed.advice':
    'Please go to the service counter and show the staff the number below. They will help you.',
  'failed.timeout.title': 'Time ran out, so this visit has ended',
  'failed.timeout.advice':
    'To try again, start again. If you have questions, ask at the service counter.',
  'failed.refunded': 'Your payment has been returned to the account you paid from.',
  'failed.refundPending':
    'Your payment is being returned; the staff know. Please write down the number below.',

  'outOfService.title': 'Out of service',
  'outOfService.instruction':
    'This machine cannot be used right now. Please go to the service counter. Sorry for the trouble.',

  'idle.title': 'Are you still there?',
  'idle.instruction': 'To keep going, press "Continue".',
  'idle.countdown': 'Seconds left: {seconds}',
  'idle.continue': 'Continue',

  'common.cancel': 'Cancel',

  'voice.repeat': 'Hear it again',
  'voice.stop': 'Stop speaking',

  'sim.title': 'Simulated devices',
  'sim.placeIdCard': 'Place simulated ID card',
  'sim.removeIdCard': 'Remove ID card',
  'sim.takeCard': 'Take the new card',
  'sim.idOnReader': 'ID card is on the reader',
  'sim.idNotOnReader': 'No ID card on the reader',
  'sim.cardAtExit': 'New card is at the slot',
  'sim.noCardAtExit': 'No card at the slot',
  'sim.scanPaid': 'Show a payment code',
  'sim.scanDeclined': 'Show a code with no funds',
};

export const catalogues: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = {
  'zh-CN': zhCN,
  en,
};

export type MessageParams = Readonly<Record<string, string | number>>;

/** Replaces `{name}` placeholders; an unknown placeholder is left as is (visible, not blank). */
export function formatMessage(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function translator(lang: Language): Translate {
  const catalogue = catalogues[lang];
  return (key, params) => formatMessage(catalogue[key], params);
}

/** Voice guidance speaks this key for a screen (the template literal type makes a missing key a compile error). */
export function instructionKey(screen: ScreenId): MessageKey {
  const key: `${ScreenId}.instruction` = `${screen}.instruction`;
  return key;
}

export function failureTitleKey(reason: FailureReason): MessageKey {
  const key: `failed.${FailureReason}.title` = `failed.${reason}.title`;
  return key;
}

export function failureAdviceKey(reason: FailureReason): MessageKey {
  const key: `failed.${FailureReason}.advice` = `failed.${reason}.advice`;
  return key;
}

export function stageKey(stage: ProductionStage): MessageKey {
  const key: `stage.${ProductionStage}` = `stage.${stage}`;
  return key;
}

/** The language the toggle switches to. */
export function otherLanguage(lang: Language): Language {
  return lang === 'zh-CN' ? 'en' : 'zh-CN';
}

/** 1200 → "¥12.00" (the caller shows "free" for 0). Integer arithmetic, no float rounding. */
export function formatFen(amountFen: number): string {
  const yuan = Math.floor(amountFen / 100);
  const fen = amountFen % 100;
  return `¥${yuan}.${String(fen).padStart(2, '0')}`;
}
