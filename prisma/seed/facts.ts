// Process facts of the source document (2009年东莞市文化信息资源共享工程建设工作方案) as Fact rows, quoted
// as the document writes them. Keys group the facts: acceptance.* feed the "验收需要什么" checklist in
// sortOrder. The document gives http://www.elib.cn for both the provincial center and the sub-center;
// it is quoted as written rather than corrected, because nothing else in the document says otherwise.
import type { Db } from '../../bot/db/client.ts';
import type { FactRecord } from '../../commands/standards/model.ts';

/** a Fact row as the capability reads it */
export type FactSeed = FactRecord;

export const FACT_SEEDS: readonly FactSeed[] = [
  {
    key: 'acceptance.checklist',
    title: '验收需要准备什么',
    body: '参照附件1的标准配置设备、布置场所、落实服务要求，填写验收申请表（附件2），经所在镇文广中心确认盖章后提交到东莞市支中心。',
    keywords: '验收需要,验收准备,准备什么,验收条件,验收标准,验收清单,清单,材料,申请验收,验收要求,怎么验收,如何验收,挂牌条件,配置标准,全部标准,所有标准,哪些标准',
    source: '正文 二、建设步骤；附件1；附件2',
    sortOrder: 10,
  },
  {
    key: 'acceptance.prepare',
    title: '验收步骤1：配置与布置',
    body: '参照附件1的标准要求，配置所需设备，并做好宣传与环境布置工作，可预先咨询市支中心并到较好的基层服务点参观学习。',
    keywords: '参观,参观学习,预先咨询,环境布置,宣传布置,第一步',
    source: '正文 二、建设步骤（一）1',
    sortOrder: 20,
  },
  {
    key: 'acceptance.application',
    title: '验收步骤2：申请与盖章',
    body: '填写《东莞市文化共享工程基层服务点验收申请表》（见附件2），经所在镇文广中心确认盖章后提交到东莞市支中心。基层服务点验收申报由专人负责。',
    keywords: '盖章,公章,镇文广中心,文广中心,提交,交到哪,交给谁,申请表,申报,谁负责,专人',
    source: '正文 二、建设步骤（一）2',
    sortOrder: 30,
  },
  {
    key: 'acceptance.inspection',
    title: '验收步骤3：现场验收时间',
    body: '市支中心在收到验收申请表的两个工作周内派员到现场验收。',
    keywords: '多久,多长时间,几天,什么时候,何时,来验收,派员,现场验收,两个工作周,工作周,等多久',
    source: '正文 二、建设步骤（一）3',
    sortOrder: 40,
  },
  {
    key: 'acceptance.result',
    title: '验收结果：授牌或整改',
    body: '如果符合条件可即授予“文化共享工程基层服务点”牌匾；如不符合条件则由市支中心提出整改意见，申请单位整改后再提交验收申请。',
    keywords: '牌匾,授牌,挂牌,不通过,没通过,不合格,不符合,整改,整改意见,重新申请,再提交,验收失败',
    source: '正文 二、建设步骤（一）3',
    sortOrder: 50,
  },
  {
    key: 'acceptance.otherPoints',
    title: '村（居）、学校、企业服务点的建设步骤',
    body: '村（居）、学校、企业基层服务点：除经我市党员电教中心认可的“党员远程教育基层点”（见下条）外，“其余基层服务点建设按以上镇（街）基层服务点的建设步骤进行”。',
    keywords: '学校,企业,公司,工厂,建设步骤,步骤,流程,建服务点,建点,可以建,能建,怎么建,如何建,能不能建,申请建',
    source: '正文 二、建设步骤（二）',
    sortOrder: 60,
  },
  {
    key: 'acceptance.partyEducationPoint',
    title: '党员远程教育基层点',
    body: '经我市党员电教中心认可的“党员远程教育基层点”，可作为本村（居）文化共享工程基层服务点，暂不需另外申请挂牌。',
    keywords: '党员,远程教育,党员远程教育,党员电教,电教中心,远教,另外申请,不用申请,不需申请',
    source: '正文 二、建设步骤（二）1',
    sortOrder: 70,
  },
  {
    key: 'acceptance.reinspection',
    title: '复查与除牌',
    body: '镇（街）基层服务点须经市支中心验收、挂牌。市支中心每年组织对镇（街）基层服务点复查，对设备设施或服务不达标的基层服务点给予除牌处理。',
    keywords: '复查,除牌,摘牌,每年检查,年检,取消,撤牌,不达标,达不到,验收后,验收之后,挂牌后,以后不达标,设备设施不达标,服务不达标,降下来',
    source: '正文 五、保障措施（三）',
    sortOrder: 80,
  },
  {
    key: 'acceptance.form',
    title: '验收申请表（附件2）的栏目',
    body: '勾选级别：镇（街）□ 村（居）□；申请单位名称（公章）；详细地址；联系人、联系电话、手机、传真、E-mail；设备配置：电脑（台）、DVD播放机（台）、电视机（台）、投影机、投影幕（套）、有源音箱（台）、其它设备；其他情况：上网方式与带宽、场所面积（m2）、专职工作人员（名）、备注；总投入资金；验收情况（审核人签字、日期）；镇（街）文广中心意见（领导签字并加盖公章、日期）；市支中心意见（领导签字并加盖公章、日期）。此表一式三份，验收完毕后市支中心、镇（街）文广中心、基层服务点各执一份。',
    keywords: '申请表,表格,附件2,填什么,填写,栏目,一式三份,几份,表',
    source: '附件2 · 东莞市文化共享工程基层服务点验收申请表',
    sortOrder: 90,
  },
  {
    key: 'standards.minimum',
    title: '附件1的说明',
    body: '以上两表为最低配置要求，各镇（街）、村（居）可结合实际需要适当增加配置。',
    keywords: '最低,最低配置,增加配置,多配,超过',
    source: '附件1 · 说明',
    sortOrder: 100,
  },
  {
    key: 'report.deadline',
    title: '数据上报时间',
    body: '每月5日前上报上个月的数据。',
    keywords: '上报,报数,数据上报,月报,几号,截止,期限,每月,5日,5号,什么时候报,报数据',
    source: '附件3 · 三、上报时间',
    sortOrder: 110,
  },
  {
    key: 'report.noNewData',
    title: '没有新增数据时',
    body: '按每月填报新增数据，如果没有新增的数据，可不填报。',
    keywords: '没有新增,无新增,没数据,没有数据,不填报,不用报,不报,新增数据,零',
    source: '附件3 · 二、数据上报要求（2）',
    sortOrder: 120,
  },
  {
    key: 'report.system',
    title: '数据上报网址（广东省文化共享工程信息管理系统）',
    body: '通过互联网访问“广东省文化共享工程信息管理系统”（http://xxgl.gddcn.gov.cn/Admin/Login.aspx 或 http://219.137.192.230）；注册成为会员（已经注册的基层服务点跳过此步骤），点击页面上的“注册”按键，按照页面提示进行相关的选择和填写内容；注册成功后，按照注册时所用的用户名和密码登录并上报数据。',
    keywords: '信息管理系统,管理系统,系统,网址,地址,注册,登录,登陆,账号,密码,会员,在哪报,哪里报,怎么报,上报网站',
    source: '附件3 · 一、注册开通',
    sortOrder: 130,
  },
  {
    key: 'report.purpose',
    title: '上报数据的用途',
    body: '上报后的数据将作为各级文化站评估定级的重要参考依据，因此，上报数据要求及时、准确。',
    keywords: '用途,有什么用,评估,定级,评估定级,准确,及时',
    source: '附件3 · 二、数据上报要求',
    sortOrder: 140,
  },
  {
    key: 'resources.fetch',
    title: '如何获取资源',
    body: '基层服务点按市支中心要求设联络人，随时了解市支中心资源发放通知，在规定时间内通过硬盘拷贝、VPN或FTP传输等方式获取资源，并按通知规定将这些资源提供给群众使用。',
    keywords: '获取资源,资源,拿资源,下载,拷贝,硬盘,硬盘拷贝,VPN,FTP,传输,资源发放,发放通知,联络人',
    source: '正文 三、工作内容（二）一',
    sortOrder: 150,
  },
  {
    key: 'resources.vpn',
    title: 'VPN网络',
    body: '2009年上半年将开通所有镇（街）基层服务点的VPN网络，使以往只能在东莞图书馆局域网内使用的数字资源，其使用范围扩大到镇（街）基层服务点。',
    keywords: 'VPN,开通VPN,局域网,数字资源',
    source: '正文 三、工作内容（一）二',
    sortOrder: 160,
  },
  {
    key: 'resources.shortcuts',
    title: '桌面快捷方式',
    body: '各基层服务点的服务用机须在桌面上创建访问文化共享工程国家中心（http://www.ndcnc.gov.cn）、广东省中心（http://www.elib.cn）、东莞市支中心（http://www.elib.cn）的快捷方式，并将访问路径收藏在IE收藏夹中。（两个网址原文如此）',
    keywords: '快捷方式,桌面,收藏夹,IE,网址,国家中心,省中心,广东省中心,网站,ndcnc,elib',
    source: '正文 三、工作内容（二）二',
    sortOrder: 170,
  },
  {
    key: 'training.central',
    title: '集中培训',
    body: '今年上半年将组织镇（街）、村（居）相关干部学习；在7-8月举办共享工程技术培训班，组织各基层服务点工作人员集中培训，培训将围绕对文化共享工程的认识、设备操作技巧、数字资源利用、数字资源服务等方面进行，接受培训的人员均可获相关课程的培训证书。',
    keywords: '培训,培训班,技术培训,集中培训,培训时间,证书,培训证书,学习',
    source: '正文 四、人员培训（一）',
    sortOrder: 180,
  },
  {
    key: 'training.onsite',
    title: '现场指导',
    body: '市支中心将不定期派遣技术人员到各基层服务点进行检查督导，并对部分技术人员进行现场培训。需要现场培训和指导的基层服务点可直接与市支中心联系。',
    keywords: '现场指导,现场培训,上门,技术支持,技术人员,指导',
    source: '正文 四、人员培训（二）',
    sortOrder: 190,
  },
  {
    key: 'training.remote',
    title: '远程学习',
    body: '所有基层服务点工作人员须实名注册东莞市民学习网（http://learning.dglib.cn），登录图书馆员培训栏目，学习市支中心指定的课程，完成学习任务的学员可获相关培训证书。',
    keywords: '远程学习,网上学习,在线学习,市民学习网,学习网,实名注册,图书馆员培训,课程,learning',
    source: '正文 四、人员培训（三）',
    sortOrder: 200,
  },
  {
    key: 'supervision.schedule',
    title: '检查督导',
    body: '由社会文化科协调，市支中心主要负责，分别在3-4月、10-11月深入基层调研文化共享工程基层服务点建设与服务情况。',
    keywords: '督导,调研,检查,下基层,3-4月,10-11月',
    source: '正文 五、保障措施（二）',
    sortOrder: 210,
  },
  {
    key: 'directory.liaison',
    title: '联络人和信息专报员',
    body: '建立我市文化共享工程建设通信名录，每镇（街）、村（居）均有指定的联络人和信息专报员；市支中心将以发送电子邮件、传真等方式，实现信息的上传下达。基层服务点应按要求及时提供信息专报员及其联络方式，并由专人及时接收电子邮件和反馈各种相关信息。',
    keywords: '信息专报员,专报员,联络人,通信名录,名录,通讯录',
    source: '正文 五、保障措施（四）',
    sortOrder: 220,
  },
  {
    key: 'contact.subCenter',
    title: '市支中心联系方式',
    body: '如需咨询可联系市支中心（电话：22834125，email:gxgc@dglib.cn，传真：22834101-133）。',
    keywords: '电话,联系,联系方式,咨询,邮箱,email,电子邮件,传真,市支中心,号码,找谁',
    source: '正文 一、建设目标',
    sortOrder: 230,
  },
  {
    key: 'funding.responsibility',
    title: '经费的落实',
    body: '镇（街）、村（社区）领导干部必须狠抓落实，按我市文化共享工程建设标准落实各项经费，建成本辖区基层服务点，完成我市文化共享工程建设各项指标任务。文化共享工程建设成效将与基层领导干部业绩挂钩。',
    keywords: '经费,落实经费,资金,钱,领导干部,考评,考核,业绩,责任',
    source: '正文 五、保障措施（一）',
    sortOrder: 235,
  },
  {
    key: 'location.townPoint',
    title: '镇（街）服务点设在哪里',
    body: '镇（街）基层服务点设于镇（街）图书馆内。',
    keywords: '设在哪,设在,设于,地点,位置,图书馆内,放在哪',
    source: '正文 一、建设目标',
    sortOrder: 240,
  },
];

/** Creates the facts that are missing; facts an operator edited are left as they are. */
export async function seedFacts(db: Db): Promise<void> {
  for (const row of FACT_SEEDS) {
    await db.fact.upsert({ where: { key: row.key }, create: row, update: {} });
  }
}
